using Personalize.Data.Storage;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;

namespace Personalize.Models.Tests;

public sealed class PopularityRecommenderTests
{
    // Unique users: a 4, b 3 (u1 twice), c 2, d 1.
    private static readonly Interaction[] Interactions =
    [
        new("u1", "a", 1), new("u2", "a", 2), new("u3", "a", 3), new("u4", "a", 4),
        new("u1", "b", 5), new("u1", "b", 6), new("u2", "b", 7), new("u3", "b", 8),
        new("u1", "c", 9), new("u2", "c", 10),
        new("u4", "d", 11),
    ];

    private static readonly UserSequences Data = UserSequences.Build(Interactions);

    [Fact]
    public async Task SavedAndLoaded_ThroughTheObjectStore_RecommendsByUniqueUsersWithoutScores()
    {
        using var temp = new TempStore();
        var uri = S3Uri.Parse("s3://models/ns/group/solutions/s/v1/model/");
        var artifact = PopularityTrainer.Train(new ModelManifest { Recipe = "aws-popularity-count", RecipeType = "POPULAR_ITEMS" }, Data, Data);
        await artifact.SaveAsync(temp.Store, uri, CancellationToken.None);

        var model = await RecommenderFactory.LoadAsync(temp.Store, uri, CancellationToken.None);

        Assert.False(model.ReturnsScores);
        Assert.Equal("aws-popularity-count", model.Manifest.Recipe);
        Assert.Equal(11, model.Manifest.TrainingData.Interactions);
        Assert.Equal(11, model.Manifest.TrainingData.MaxTimestamp);
        var items = await model.RecommendAsync(new RecommendationRequest { UserId = "new-user" });
        Assert.Equal(["a", "b", "c", "d"], items.Select(i => i.ItemId));
        Assert.All(items, i => Assert.Null(i.Score));
    }

    [Fact]
    public async Task Recommend_AppliesTheFilterHook_KeepsConsumedItemsUnlessFiltered_AndHonoursNumResults()
    {
        var model = RecommenderFactory.Create(PopularityTrainer.Train(new ModelManifest(), Data, Data));

        var filtered = await model.RecommendAsync(new RecommendationRequest { IsCandidate = id => id != "a", NumResults = 2 });
        var consumed = await model.RecommendAsync(new RecommendationRequest { UserId = "u4", RecentItems = ["c"] });

        Assert.Equal(["b", "c"], filtered.Select(i => i.ItemId));
        Assert.Equal(["a", "b", "c", "d"], consumed.Select(i => i.ItemId));
        Assert.Equal(["a", "d"], model.TrainedHistory("u4"));
    }

    [Fact]
    public void Rank_OrdersKnownItemsByPopularity_AndAppendsUnknownOnesInInputOrder()
    {
        var model = RecommenderFactory.Create(PopularityTrainer.Train(new ModelManifest(), Data, Data));

        var ranked = model.Rank(new RecommendationRequest { UserId = "u1", InputList = ["new2", "d", "a", "new1", "c"] });

        Assert.Equal(["a", "c", "d", "new2", "new1"], ranked.Select(i => i.ItemId));
    }

    [Fact]
    public async Task Load_OfAMissingModel_NamesTheMissingObject()
    {
        using var temp = new TempStore();

        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(
            () => RecommenderFactory.LoadAsync(temp.Store, S3Uri.Parse("s3://models/none/"), CancellationToken.None));
        Assert.Contains("manifest.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersLeftOutOfTraining_AreStillServedTheirHistory_ButDoNotCountInPopularity()
    {
        var trained = Data.With(["u4"], [Data.Sequences[3]]);
        var served = Data.Recode(Interactions.Append(new Interaction("u5", "d", 12)).Append(new Interaction("u5", "unknown-item", 13)));

        var model = RecommenderFactory.Create(PopularityTrainer.Train(new ModelManifest(), trained, served));

        Assert.Equal(["a", "b", "b", "c"], model.TrainedHistory("u1"));
        Assert.Equal(["d"], model.TrainedHistory("u5"));
        Assert.Equal(1, model.Manifest.TrainingData.Users);
        // Only u4 trained (a and d): over everyone the order would be a, b, c, d.
        Assert.Equal(["a", "d", "b", "c"], (await model.RecommendAsync(new RecommendationRequest())).Select(i => i.ItemId));
    }
}
