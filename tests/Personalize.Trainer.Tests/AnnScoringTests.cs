using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The trainer builds and gates the ANN index beside a trained model; the served recommender uses it only when the
/// method allows it and the gate passed. (Recall and filters under a shipped index: AnnIndexTests, planted catalogue.)
/// </summary>
public sealed class AnnScoringTests(ServedModelFixture model) : IClassFixture<ServedModelFixture>
{
    private static readonly ScoringSettings Settings = new() { Quantize = false, Batch = false, UserStateCacheSize = 0 };

    [Fact]
    public async Task TrainedArtifact_ReportsItsIndexRecallOnHeldOutUsers_AndShipsItOnlyAboveTheGate()
    {
        var index = model.Artifact.Manifest.AnnIndex;
        Assert.NotNull(index);
        Assert.True(index.HeldOutUsers >= 250, $"{index.HeldOutUsers} held-out users");
        Assert.InRange(index.RecallAt25, 0.01, 1);
        Assert.InRange(index.Probes, 1, index.Lists / 4);
        Assert.Equal(index.RecallAt25 >= AnnIndexBuilder.RequiredRecall, index.Shipped);
        Assert.Equal(index.Shipped, model.Artifact.Tensors.ContainsKey(TensorNames.AnnCentroids));

        // Asked for the index, the recommender serves it only if it shipped, and then keeps the gate's recall on every user.
        var ann = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Ann);
        Assert.Equal(index.Shipped ? ScoringMethods.Ann : ScoringMethods.Exact, ann.ScoringMethod);
        if (!index.Shipped)
        {
            Assert.Contains("below 0.98", ann.ScoringReason);
            return;
        }

        var exact = new HrnnRecommender(model.Artifact, Settings, ScoringMethods.Exact);
        var overlap = 0.0;
        var users = model.Artifact.Vocabulary.Users;
        foreach (var user in users)
        {
            var request = new RecommendationRequest { UserId = user, NumResults = 25 };
            var expected = (await exact.RecommendAsync(request)).Select(i => i.ItemId).ToList();
            overlap += (double)(await ann.RecommendAsync(request)).Select(i => i.ItemId).Intersect(expected).Count() / expected.Count;
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
    public async Task IndexBelowTheRecallGate_IsNotShipped_AndExactServesEvenWhenAnnIsAsked()
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
        Assert.Equal(await exact.RecommendAsync(request), await served.RecommendAsync(request));
    }
}
