using Personalize.Models.Artifacts;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// One aws-hrnn model trained (hidden 64) on a catalogue large enough for the serving shortcuts to matter: 3,000
/// items in 30 genres with a popular head, 3,000 users who each follow one or two genres' chains. Trained once for
/// the serving tests, which compare shortcuts against float32 exact scoring on it.
/// </summary>
public sealed class ServedModelFixture : IAsyncLifetime
{
    public const int Genres = 30;
    public const int ItemsPerGenre = 100;
    public const int Users = 3000;

    public ModelArtifact Artifact { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var random = new Random(11);
        var interactions = new List<Interaction>();
        for (var u = 0; u < Users; u++)
        {
            int[] genres = [random.Next(Genres), random.Next(Genres)];
            var position = random.Next(ItemsPerGenre);
            var length = random.Next(10, 40);
            for (var t = 0; t < length; t++)
            {
                var genre = genres[random.NextDouble() < 0.8 ? 0 : 1];
                // Within a genre: mostly the chain's next item, sometimes a popular one (low positions, Zipf-like).
                position = random.NextDouble() < 0.7 ? (position + 1) % ItemsPerGenre : (int)(ItemsPerGenre * Math.Pow(random.NextDouble(), 3));
                interactions.Add(new Interaction($"u{u}", $"g{genre}-{position}", 1_700_000_000 + (t * 3600)));
            }
        }

        var trained = await Training.TrainAsync("aws-hrnn", new TrainingData { Interactions = interactions }, overrides: new() { ["hidden_dimension"] = "64", ["bptt"] = "16" });
        Artifact = trained.Artifact;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
