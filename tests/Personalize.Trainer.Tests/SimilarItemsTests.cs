using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Runtime;
using Personalize.Testing;
using Personalize.Trainer.Batch;

namespace Personalize.Trainer.Tests;

/// <summary>
/// aws-similar-items on TasteData: items chain within their genre, and each genre has new items known only by their
/// GENRE metadata. Trained once (small dimensions, few epochs) for all the checks.
/// </summary>
public sealed class SimilarItemsTests(SimilarItemsTests.Models models) : IClassFixture<SimilarItemsTests.Models>
{
    private const string CampaignArn = "arn:k8s:personalize:test::campaign/similar";
    private const string ColdItem = "g2-new0";

    public sealed class Models : IAsyncLifetime
    {
        public Personalize.Models.Artifacts.ModelArtifact Similar { get; private set; } = null!;

        public IRecommender Sims { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var data = TasteData.Create(users: 300);
            Similar = (await Training.TrainAsync(Recipes.SimilarItems, data, overrides: new() { ["item_id_hidden_dim"] = "32", ["item_metadata_hidden_dim"] = "32" })).Artifact;
            Sims = RecommenderFactory.Create((await Training.TrainAsync(Recipes.Sims, data)).Artifact);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }

    private static async Task<List<string>> RelatedAsync(IRecommender recommender, string itemId, Func<string, bool>? candidate = null) =>
        (await recommender.RelatedItemsAsync(new RecommendationRequest { ItemId = itemId, NumResults = 10, IsCandidate = candidate })).Select(i => i.ItemId).ToList();

    private static double SameGenre(IReadOnlyList<string> items, string itemId) => items.Count(i => TasteData.Genre(i) == TasteData.Genre(itemId)) / 10.0;

    [Fact]
    public async Task AColdItem_GetsNeighboursFromItsMetadataGroup_WhereSimsFallsBackToPopularItems()
    {
        var similar = RecommenderFactory.Create(models.Similar);
        var related = await RelatedAsync(similar, ColdItem);
        Assert.True(SameGenre(related, ColdItem) >= 0.8, string.Join(", ", related));
        Assert.True(SameGenre(await RelatedAsync(models.Sims, ColdItem), ColdItem) < 0.5);
        Assert.False(similar.ReturnsScores);

        // The filter hook applies to these neighbours as to any recipe's.
        Assert.DoesNotContain(related[0], await RelatedAsync(similar, ColdItem, id => id != related[0]));
    }

    [Fact]
    public async Task WarmItems_KeepCooccurrenceNeighboursAtLeastAsGoodAsSims()
    {
        var similar = RecommenderFactory.Create(models.Similar);
        var warm = Enumerable.Range(0, TasteData.Genres).SelectMany(g => Enumerable.Range(0, TasteData.ItemsPerGenre).Select(i => $"g{g}-{i}")).ToList();
        var fromSimilar = new List<List<string>>(warm.Count);
        var fromSims = new List<List<string>>(warm.Count);
        foreach (var item in warm)
        {
            fromSimilar.Add(await RelatedAsync(similar, item));
            fromSims.Add(await RelatedAsync(models.Sims, item));
        }

        var similarPrecision = warm.Select((item, i) => SameGenre(fromSimilar[i], item)).Average();
        var simsPrecision = warm.Select((item, i) => SameGenre(fromSims[i], item)).Average();
        Assert.True(similarPrecision >= simsPrecision, $"similar-items {similarPrecision:F3} < sims {simsPrecision:F3}");

        // The chain's next item co-occurs most: it leads, as in aws-sims.
        var next = warm.Where((item, i) => fromSimilar[i].Take(2).Contains($"{TasteData.Genre(item)}-{(int.Parse(item.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) + 1) % TasteData.ItemsPerGenre}")).Count();
        Assert.True(next >= warm.Count * 0.9, $"{next} of {warm.Count}");
        Assert.True(models.Similar.Manifest.Metrics["coverage"] > 0);
    }

    [Fact]
    public async Task BatchAndRuntime_AnswerWithTheSameNeighbours_WithoutScores()
    {
        var root = Directory.CreateTempSubdirectory("trainer-similar-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var recommender = RecommenderFactory.Create(models.Similar);
            var batched = await new BatchInference(recommender, store, 10, null, null).AnswerAsync($$"""{"itemId":"{{ColdItem}}"}""");
            Assert.Null(batched["error"]);
            Assert.Null(batched["output"]!["scores"]);
            var fromBatch = batched["output"]!["recommendedItems"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
            Assert.Equal(await RelatedAsync(recommender, ColdItem), fromBatch);

            var group = new StoreLayout("bucket").DatasetGroup("test", "similar");
            var modelUri = StoreLayout.Model(group, "solution", "v1");
            await models.Similar.SaveAsync(store, modelUri, CancellationToken.None);
            var config = new RuntimeConfig { CampaignArn = CampaignArn, CampaignName = "similar", ModelUri = modelUri.ToString(), DatasetGroupUri = group.ToString() };
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var app = RuntimeApp.Create(config, store, ["--urls", url]);
            await app.StartAsync();
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri(url) };
                await Wait.UntilAsync(async ct => (await client.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the runtime to turn ready");
                using var response = await client.PostAsJsonAsync("/recommendations", new { campaignArn = CampaignArn, itemId = ColdItem, numResults = 10 });
                response.EnsureSuccessStatusCode();
                var served = (await response.Content.ReadFromJsonAsync<JsonObject>())!["itemList"]!.AsArray();
                Assert.Equal(fromBatch, served.Select(i => i!["itemId"]!.GetValue<string>()));
                Assert.All(served, i => Assert.False(i!.AsObject().ContainsKey("score")));
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void HiddenDimensions_AreCheckedAgainstTheReferenceRanges_AndTheRecipeIsNoAutoMLCandidate()
    {
        var recipe = Recipes.Find(Recipes.SimilarItems)!;
        Assert.Equal(RecipeTypes.RelatedItems, recipe.RecipeType);
        Assert.Empty(recipe.Validate(new Dictionary<string, string> { ["item_id_hidden_dim"] = "200", ["item_metadata_hidden_dim"] = "30" }, null));
        var problem = Assert.Single(recipe.Validate(new Dictionary<string, string> { ["item_metadata_hidden_dim"] = "201" }, null));
        Assert.Contains("algorithmHyperParameters.item_metadata_hidden_dim", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Recipes.SimilarItems, Recipes.AutoMLCandidates);
    }
}
