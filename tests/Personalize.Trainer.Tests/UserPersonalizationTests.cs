using Personalize.Api;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

public sealed class UserPersonalizationTests
{
    internal const string Ignored = "g0-7";

    /// <summary>TasteData where <see cref="Ignored"/> was shown with every genre-0 interaction that did not choose it.</summary>
    private static TrainingData WithImpressions()
    {
        var data = TasteData.Create(users: 300);
        return new TrainingData
        {
            Interactions = data.Interactions,
            CatalogueItems = data.CatalogueItems,
            ItemTokens = data.ItemTokens,
            UserTokens = data.UserTokens,
            ItemCreation = data.ItemCreation,
            Impressions = data.Interactions.Where(i => TasteData.Genre(i.ItemId) == "g0" && i.ItemId != Ignored)
                .Select(i => new ShownItems(i.UserId, i.ItemId, [Ignored, i.ItemId])).ToList(),
        };
    }

    internal static async Task<double> MeanRankAsync(IRecommender recommender, string itemId)
    {
        // Genre-0 users whose next item is not the ignored one by the chain.
        var users = Enumerable.Range(0, 300).Where(u => u % TasteData.Genres == 0).Select(u => $"u{u}")
            .Where(u => recommender.TrainedHistory(u)[^1] != "g0-6").ToList();
        var ranks = new List<int>(users.Count);
        foreach (var user in users)
        {
            ranks.Add((await recommender.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = RecommendationRequest.MaxNumResults }))
                .Select(i => i.ItemId).ToList().IndexOf(itemId));
        }

        return ranks.Average();
    }

    [Fact]
    public async Task AnItemShownAndNotChosen_RanksLowerThanWithoutImpressions()
    {
        var data = WithImpressions();
        var trained = RecommenderFactory.Create((await Training.TrainAsync(Recipes.UserPersonalization, data)).Artifact);
        var withoutImpressions = RecommenderFactory.Create((await Training.TrainAsync(Recipes.UserPersonalization, new TrainingData
        {
            Interactions = data.Interactions,
            CatalogueItems = data.CatalogueItems,
            ItemTokens = data.ItemTokens,
            UserTokens = data.UserTokens,
            ItemCreation = data.ItemCreation,
        })).Artifact);

        var ranked = await MeanRankAsync(trained, Ignored);
        var unranked = await MeanRankAsync(withoutImpressions, Ignored);
        Assert.True(ranked > unranked + 2, $"mean rank with impressions {ranked:F1}, without {unranked:F1}");
        // New items (Items dataset only) are in the model, so exploration and metadata can recommend them.
        Assert.True(trained.IsKnownItem("g0-new0"));
    }

    [Fact]
    public async Task ExplicitImpressions_OfTheEventsTrainingKeeps_AreReadForTraining()
    {
        var root = Directory.CreateTempSubdirectory("trainer-impressions-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var group = new StoreLayout("bucket").DatasetGroup("test", "impressions");
            await new RealtimeRecordWriter(store, group, "runtime-1").AppendAsync(DatasetTypes.Interactions,
            [
                new Dictionary<string, object?> { ["USER_ID"] = "u1", ["ITEM_ID"] = "i1", ["TIMESTAMP"] = 1_700_000_000L, ["EVENT_TYPE"] = "click", ["IMPRESSION"] = "i1|i2|i3" },
                new Dictionary<string, object?> { ["USER_ID"] = "u1", ["ITEM_ID"] = "i4", ["TIMESTAMP"] = 1_700_000_010L, ["EVENT_TYPE"] = "view", ["IMPRESSION"] = "i5" },
                new Dictionary<string, object?> { ["USER_ID"] = "u2", ["ITEM_ID"] = "i2", ["TIMESTAMP"] = 1_700_000_020L, ["EVENT_TYPE"] = "click" },
            ]);

            var data = await TrainingDataLoader.LoadAsync(store, group, "click", null, CancellationToken.None);

            var shown = Assert.Single(data.Impressions);
            Assert.Equal(("u1", "i1"), (shown.UserId, shown.ItemId));
            Assert.Equal(["i1", "i2", "i3"], shown.Items);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void IsAnHrnnFamilyRecipe_WithTheReferenceDefaults_AndNoAutoMLCandidate()
    {
        var recipe = Recipes.Find(Recipes.UserPersonalization)!;
        Assert.Equal(RecipeTypes.UserPersonalization, recipe.RecipeType);
        Assert.Equal("149", recipe.HyperParameters.Single(h => h.Name == "hidden_dimension").Default);
        Assert.Contains("algorithmHyperParameters.bptt", Assert.Single(recipe.Validate(new Dictionary<string, string> { ["bptt"] = "64" }, null)), StringComparison.Ordinal);
        Assert.DoesNotContain(Recipes.UserPersonalization, Recipes.AutoMLCandidates);
    }
}
