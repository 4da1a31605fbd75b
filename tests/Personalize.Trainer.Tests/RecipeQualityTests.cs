using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Xunit.Abstractions;

namespace Personalize.Trainer.Tests;

public sealed class RecipeQualityTests(ITestOutputHelper output)
{
    private static readonly Lazy<Task<Dictionary<string, double>>> Popularity =
        new(async () => (await Training.TrainAsync(Recipes.PopularityCount, TasteData.Create())).Metrics);

    [Theory]
    [InlineData(Recipes.Hrnn)]
    [InlineData(Recipes.HrnnMetadata)]
    public async Task HrnnRecipes_BeatPopularityOnNdcgAt10_ByAWideMargin(string recipe)
    {
        var trained = await Training.TrainAsync(recipe, TasteData.Create());
        var popularity = await Popularity.Value;

        var ndcg = trained.Metrics["normalized_discounted_cumulative_gain_at_10"];
        output.WriteLine($"{recipe}: {string.Join(", ", trained.Metrics.Select(m => $"{m.Key}={m.Value:F4}"))}");
        output.WriteLine($"popularity: {string.Join(", ", popularity.Select(m => $"{m.Key}={m.Value:F4}"))}");
        Assert.True(ndcg > 3 * popularity["normalized_discounted_cumulative_gain_at_10"] && ndcg > 0.3, $"{recipe} NDCG@10 {ndcg:F4} vs popularity {popularity["normalized_discounted_cumulative_gain_at_10"]:F4}");
        // The metrics travel with the saved model (GetSolutionMetrics reads them from there).
        var store = new FolderObjectStore(Directory.CreateTempSubdirectory("recipe-quality-").FullName);
        var uri = S3Uri.Parse("s3://models/quality/");
        await trained.Artifact.SaveAsync(store, uri, CancellationToken.None);
        Assert.Equal(trained.Metrics, (await ModelArtifact.LoadAsync(store, uri, CancellationToken.None)).Manifest.Metrics);
    }

    [Fact]
    public async Task Coldstart_RecommendsNewItemsOfTheUsersGenre()
    {
        var trained = await Training.TrainAsync(Recipes.HrnnColdstart, TasteData.Create());
        var model = RecommenderFactory.Create(trained.Artifact);

        var fitting = 0;
        var total = 0;
        foreach (var user in Enumerable.Range(0, 50).Select(u => $"u{u}"))
        {
            var fresh = await model.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = 2, IsCandidate = id => id.Contains("-new", StringComparison.Ordinal) });
            fitting += fresh.Count(r => TasteData.Genre(r.ItemId) == TasteData.UserGenre(user));
            total += fresh.Count;
        }

        // Chance is one in five genres.
        Assert.Equal(100, total);
        Assert.True(fitting >= 80, $"{fitting} of {total} new-item recommendations fit the user's genre");
    }
}
