using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Small data with structure a sequence model can learn and popularity cannot: items belong to genres and form a
/// chain within their genre; each user sticks to one genre and mostly moves to the chain's next item. Some items of
/// each genre are new (no interactions), described only by their GENRE metadata.
/// </summary>
internal static class TasteData
{
    public const int Genres = 5;
    public const int ItemsPerGenre = 40;
    public const int NewItemsPerGenre = 4;

    public static string Genre(string itemId) => itemId.Split('-')[0];

    public static string UserGenre(string userId) => $"g{int.Parse(userId[1..], System.Globalization.CultureInfo.InvariantCulture) % Genres}";

    public static TrainingData Create(int users = 500, int seed = 1)
    {
        var random = new Random(seed);
        var interactions = new List<Interaction>();
        for (var u = 0; u < users; u++)
        {
            var genre = u % Genres;
            var position = random.Next(ItemsPerGenre);
            var length = random.Next(15, 35);
            for (var t = 0; t < length; t++)
            {
                interactions.Add(new Interaction($"u{u}", $"g{genre}-{position}", 1_700_000_000 + (t * 3600)));
                position = random.NextDouble() < 0.8 ? (position + 1) % ItemsPerGenre : random.Next(ItemsPerGenre);
            }
        }

        var warm = Enumerable.Range(0, Genres).SelectMany(g => Enumerable.Range(0, ItemsPerGenre).Select(i => $"g{g}-{i}"));
        var fresh = Enumerable.Range(0, Genres).SelectMany(g => Enumerable.Range(0, NewItemsPerGenre).Select(i => $"g{g}-new{i}"));
        var catalogue = warm.Concat(fresh).ToList();
        return new TrainingData
        {
            Interactions = interactions,
            CatalogueItems = catalogue,
            ItemTokens = catalogue.ToDictionary(id => id, id => (IReadOnlyList<string>)[$"GENRE={Genre(id)}"]),
            UserTokens = Enumerable.Range(0, users).ToDictionary(u => $"u{u}", u => (IReadOnlyList<string>)[$"TASTE=g{u % Genres}"]),
            ItemCreation = fresh.ToDictionary(id => id, _ => 1_700_000_000L + (40 * 3600)),
        };
    }
}
