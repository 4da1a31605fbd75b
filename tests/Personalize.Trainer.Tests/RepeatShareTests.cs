using System.Text.Json;
using Personalize.Api;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Where users never have an item twice (rating data), the HRNN learns which of the items a user has not had comes
/// next, and the served model gives the user's own items only the share of repeats its training data showed: they
/// rank after the new items without a filter, and still fill a list the new items cannot.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class RepeatShareTests
{
    private static readonly Lazy<Task<TrainedModel>> OnRatingData = new(() => Training.TrainAsync(Recipes.Hrnn, RatingData.Create()));

    [Fact]
    public async Task OnRatingData_TheModelRecordsTheShareOfRepeats_AndServesWhatTheExcludeFilterWould()
    {
        var trained = await OnRatingData.Value;

        var share = trained.Artifact.Manifest.RepeatShare;
        Assert.NotNull(share);
        // No user has an item twice: the smoothed share is 1 / (events + 2).
        Assert.InRange(share.Value, 1e-6, 1e-3);
        var ndcg = OfflineMetrics.NdcgName(10);
        Assert.Equal(trained.SeenExcludedMetrics[ndcg], trained.Metrics[ndcg]);
        Assert.Equal(trained.SeenExcludedMetrics[OfflineMetrics.Coverage], trained.Metrics[OfflineMetrics.Coverage]);
    }

    [Fact]
    public async Task WhereUsersRepeatItems_NoShareIsRecorded()
    {
        var trained = await Training.TrainAsync(Recipes.Hrnn, TasteData.Create(users: 100));

        Assert.Null(trained.Artifact.Manifest.RepeatShare);
    }

    [Fact]
    public async Task ARanking_PutsTheUsersOwnItemsLast_WithTheShareOfRepeatsBetweenThem()
    {
        var trained = await OnRatingData.Value;
        var recommender = RecommenderFactory.Create(trained.Artifact);
        var history = recommender.TrainedHistory("u0");
        var own = history.Take(3).ToList();
        var fresh = trained.Artifact.Vocabulary.Items.Except(history).Take(3).ToList();

        var ranked = recommender.Rank(new RecommendationRequest { UserId = "u0", InputList = [.. own, .. fresh] });

        Assert.Equal(fresh.Order(), ranked.Take(fresh.Count).Select(r => r.ItemId).Order());
        Assert.Equal(own.Order(), ranked.Skip(fresh.Count).Select(r => r.ItemId).Order());
        Assert.Equal(trained.Artifact.Manifest.RepeatShare!.Value, ranked.Skip(fresh.Count).Sum(r => r.Score!.Value), 6);
        Assert.Equal(1, ranked.Sum(r => r.Score!.Value), 6);
    }

    [Fact]
    public async Task AUserWhoHadAlmostEverything_GetsTheRestFirst_ThenTheirOwnItems()
    {
        var trained = await OnRatingData.Value;
        var recommender = RecommenderFactory.Create(trained.Artifact);
        var catalogue = trained.Artifact.Vocabulary.Items;
        var left = catalogue.Except(recommender.TrainedHistory("u0")).Take(5).ToList();
        var recent = catalogue.Except(recommender.TrainedHistory("u0")).Except(left).ToList();

        var list = await recommender.RecommendAsync(new RecommendationRequest { UserId = "u0", RecentItems = recent, NumResults = 25 });

        Assert.Equal(25, list.Count);
        Assert.Equal(left.Order(), list.Take(5).Select(r => r.ItemId).Order());
        Assert.All(list.Skip(5), r => Assert.DoesNotContain(r.ItemId, left));
        Assert.True(list[4].Score > list[5].Score, $"the last new item {list[4].Score}, the first own item {list[5].Score}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public async Task AManifestWhoseRepeatShareIsNotAProbability_IsRefused_NamingTheField(double share)
    {
        var trained = (await OnRatingData.Value).Artifact;
        var manifest = JsonSerializer.Deserialize<ModelManifest>(JsonSerializer.Serialize(trained.Manifest))!;
        manifest.RepeatShare = share;

        var refused = Assert.Throws<InvalidDataException>(() => RecommenderFactory.Create(new ModelArtifact(manifest, trained.Vocabulary, trained.Tensors)));
        Assert.Contains("repeatShare", refused.Message, StringComparison.Ordinal);
    }
}
