using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The trainer builds and gates the ANN index beside a trained model; the served recommender uses it only when the
/// method allows it and the gate passed, and its answers stay those of exact scoring (recall@25 ≥ 0.98, filters hold).
/// </summary>
public sealed class AnnScoringTests(ServedModelFixture model) : IClassFixture<ServedModelFixture>
{
    private static readonly ScoringSettings Settings = new() { Quantize = false, Batch = false, UserStateCacheSize = 0 };

    [Fact]
    public void TrainedArtifact_ShipsAnIndex_WhoseRecallOnEveryUserMatchesTheManifest()
    {
        var index = model.Artifact.Manifest.AnnIndex;
        Assert.NotNull(index);
        Assert.True(index.Shipped, index.Reason);
        Assert.True(index.RecallAt25 >= AnnIndexBuilder.RequiredRecall, $"recall@25 {index.RecallAt25}");
        Assert.True(index.HeldOutUsers >= 250, $"{index.HeldOutUsers} held-out users");
        Assert.Contains(TensorNames.AnnCentroids, model.Artifact.Tensors.Keys);

        var exact = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Exact);
        var ann = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Ann);
        Assert.Equal(ScoringMethods.Ann, ann.ScoringMethod);
        Assert.Equal(ScoringMethods.Exact, exact.ScoringMethod);
        var overlap = 0.0;
        var users = model.Artifact.Vocabulary.Users;
        foreach (var user in users)
        {
            var request = new RecommendationRequest { UserId = user, NumResults = 25 };
            var expected = exact.Recommend(request).Select(i => i.ItemId).ToList();
            overlap += (double)ann.Recommend(request).Select(i => i.ItemId).Intersect(expected).Count() / expected.Count;
        }

        Assert.True(overlap / users.Count >= AnnIndexBuilder.RequiredRecall, $"recall@25 over all {users.Count} users {overlap / users.Count:F4}");
    }

    [Fact]
    public void Auto_ServesExactBelowTheSizeThreshold_AndExactOverridesAnIndex()
    {
        var auto = new HrnnRecommender(model.Artifact, Settings);
        Assert.Equal(ScoringMethods.Exact, auto.ScoringMethod);
        Assert.Contains("below 50000", auto.ScoringReason);

        var exact = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Exact);
        Assert.Equal("campaignConfig.scoringMethod is exact", exact.ScoringReason);
        Assert.Equal(0, exact.AnnBytes);

        Assert.Throws<ArgumentException>(() => new HrnnRecommender(model.Artifact, Settings, "fastest"));
    }

    [Fact]
    public void FiltersAndExclusions_HoldUnderAnn()
    {
        var exact = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Exact);
        var ann = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Ann);
        bool OddGenre(string item) => int.Parse(item[1..item.IndexOf('-')], System.Globalization.CultureInfo.InvariantCulture) % 3 == 1;
        var overlap = 0.0;
        var users = model.Artifact.Vocabulary.Users.Take(300).ToList();
        foreach (var user in users)
        {
            var request = new RecommendationRequest { UserId = user, NumResults = 25, IsCandidate = OddGenre };
            var actual = ann.Recommend(request);
            Assert.Equal(25, actual.Count);
            Assert.All(actual, item => Assert.True(OddGenre(item.ItemId)));
            var expected = exact.Recommend(request).Select(i => i.ItemId).ToList();
            overlap += (double)actual.Select(i => i.ItemId).Intersect(expected).Count() / expected.Count;
        }

        Assert.True(overlap / users.Count >= 0.95, $"filtered recall@25 {overlap / users.Count:F4}");

        // A filter allowing one genre's 100 items only: for users of other genres too few survive in the probed
        // lists, and exact scoring answers; every answer is full and passes the filter.
        bool GenreSeven(string item) => item.StartsWith("g7-", StringComparison.Ordinal);
        overlap = 0;
        foreach (var user in users.Take(20))
        {
            var request = new RecommendationRequest { UserId = user, NumResults = 50, IsCandidate = GenreSeven };
            var actual = ann.Recommend(request);
            Assert.Equal(50, actual.Count);
            Assert.All(actual, item => Assert.True(GenreSeven(item.ItemId)));
            var expected = exact.Recommend(request).Select(i => i.ItemId).ToList();
            overlap += (double)actual.Select(i => i.ItemId).Intersect(expected).Count() / expected.Count;
        }

        Assert.True(ann.AnnExactFallbacks > 0);
        Assert.True(overlap / 20 >= 0.95, $"one-genre recall@50 {overlap / 20:F4}");
    }

    [Fact]
    public void IndexBelowTheRecallGate_IsNotShipped_AndExactServesEvenWhenAnnIsAsked()
    {
        var exact = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Exact);
        var states = model.Artifact.Vocabulary.Users.Take(200).Select(exact.UserState).ToList();
        var withoutIndex = new Dictionary<string, SafeTensor>(model.Artifact.Tensors.Where(t => !t.Key.StartsWith("ann_", StringComparison.Ordinal)));
        var manifest = System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(System.Text.Json.JsonSerializer.Serialize(model.Artifact.Manifest))!;
        var artifact = new ModelArtifact(manifest, model.Artifact.Vocabulary, withoutIndex);

        // A deliberately weak index: one list of 60 (about 50 items) read per query.
        artifact = AnnIndexBuilder.Attach(artifact, states, new AnnIndexOptions { Lists = 60, MaxProbeFraction = 1.0 / 60 });

        Assert.False(artifact.Manifest.AnnIndex!.Shipped);
        Assert.DoesNotContain(TensorNames.AnnCentroids, artifact.Tensors.Keys);
        var served = new HrnnRecommender(artifact, Settings, ScoringMethods.Ann);
        Assert.Equal(ScoringMethods.Exact, served.ScoringMethod);
        Assert.Contains("below 0.98", served.ScoringReason);
        var request = new RecommendationRequest { UserId = model.Artifact.Vocabulary.Users[0], NumResults = 25 };
        Assert.Equal(exact.Recommend(request), served.Recommend(request));
    }
}
