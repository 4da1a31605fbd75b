using Personalize.Api;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The percentile rule and the eventType filter shape training only: the most active users, and users whose events
/// the filter left out, must still get recommendations from their own history, not the popular list.
/// </summary>
public sealed class ServedUsersTests
{
    // Three users in 503 are above the 99th percentile of history length, so the default rule leaves them out of training.
    private static readonly string[] HeavyUsers = ["u1000", "u1001", "u1002"];

    // Only views, and the solution trains on another event type.
    private const string Viewer = "u1003";

    [Theory]
    [InlineData(Recipes.Hrnn)]
    [InlineData(Recipes.Sims)]
    public async Task HeavyUsers_AndUsersWhoseEventsTheFilterLeftOut_GetTheirOwnGenre(string recipe)
    {
        var taste = TasteData.Create();
        var data = new TrainingData
        {
            Interactions = [.. taste.Interactions, .. HeavyUsers.SelectMany(u => Chain(u, 150))],
            ExcludedInteractions = Chain(Viewer, 20),
            CatalogueItems = taste.CatalogueItems,
        };

        var trained = await Training.TrainAsync(recipe, data);
        var model = RecommenderFactory.Create(trained.Artifact);

        Assert.True(trained.Artifact.Manifest.TrainingData.Users < trained.Artifact.Vocabulary.Users.Count);
        foreach (var user in HeavyUsers.Append(Viewer))
        {
            Assert.True(model.IsKnownUser(user), $"{user} is not known to the served model");
            var items = await model.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = 10 });
            var fitting = items.Count(i => TasteData.Genre(i.ItemId) == TasteData.UserGenre(user));
            // Popular items would fit one time in five.
            Assert.True(fitting >= 8, $"{recipe}: {fitting} of 10 recommendations for {user} fit their genre");
        }
    }

    /// <summary>A user walking their genre's chain, one step an hour.</summary>
    private static List<Interaction> Chain(string userId, int length)
    {
        var genre = TasteData.UserGenre(userId);
        return Enumerable.Range(0, length)
            .Select(t => new Interaction(userId, $"{genre}-{t % TasteData.ItemsPerGenre}", 1_700_000_000 + (t * 3600)))
            .ToList();
    }
}
