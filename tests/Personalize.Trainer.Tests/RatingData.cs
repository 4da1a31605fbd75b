using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Rating-shaped (each user has an item once), planted: each user likes one of 12 genres of 30 items, and rates a
/// random item of it or, as often, one of the 40 most popular items; the order within a history says nothing.
/// </summary>
internal static class RatingData
{
    public static TrainingData Create()
    {
        const int genres = 12;
        const int perGenre = 30;
        const int popular = 40;
        var random = new Random(7);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 600; u++)
        {
            var genre = u % genres;
            var had = new HashSet<string>();
            var length = random.Next(20, 30);
            for (var t = 0; had.Count < length; t++)
            {
                var item = random.NextDouble() < 0.5 ? $"g{genre}-{random.Next(perGenre)}" : $"p{(int)(popular * Math.Pow(random.NextDouble(), 2))}";
                if (had.Add(item))
                {
                    interactions.Add(new Interaction($"u{u}", item, 1_700_000_000 + (t * 60)));
                }
            }
        }

        return new TrainingData { Interactions = interactions };
    }
}
