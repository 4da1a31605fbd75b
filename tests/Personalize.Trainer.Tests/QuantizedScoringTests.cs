using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;

namespace Personalize.Trainer.Tests;

/// <summary>int8 scoring with float32 re-scoring serves the same lists as float32 exact scoring, on a trained model.</summary>
public sealed class QuantizedScoringTests(ServedModelFixture model) : IClassFixture<ServedModelFixture>
{
    [Fact]
    public async Task Top25_IsIdenticalToFloat32Exact_ForEveryUser()
    {
        var exact = new HrnnRecommender(model.Artifact, new ScoringSettings { Quantize = false });
        var quantized = new HrnnRecommender(model.Artifact, new ScoringSettings { Quantize = true });
        Assert.True(quantized.Quantized);
        Assert.False(exact.Quantized);

        var users = model.Artifact.Vocabulary.Users;
        var differing = 0;
        var worstScoreRatio = 0.0;
        foreach (var user in users)
        {
            var request = new RecommendationRequest { UserId = user, NumResults = 25 };
            var expected = await exact.RecommendAsync(request);
            var actual = await quantized.RecommendAsync(request);
            Assert.Equal(25, actual.Count);
            if (!expected.Select(i => i.ItemId).SequenceEqual(actual.Select(i => i.ItemId)))
            {
                differing++;
            }

            // Scores are exp(float32 logit) over a normaliser whose terms outside the candidates carry int8 error (a few %).
            for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            {
                worstScoreRatio = Math.Max(worstScoreRatio, Math.Abs((actual[i].Score!.Value / expected[i].Score!.Value) - 1));
            }
        }

        Assert.Equal(0, differing);
        Assert.True(worstScoreRatio < 0.05, $"scores differ by up to {worstScoreRatio:P3}");
        Assert.True(users.Count > 2500, $"{users.Count} users");
    }

    [Fact]
    public async Task FiltersAndRelatedItems_MatchFloat32Exact()
    {
        var exact = new HrnnRecommender(model.Artifact, new ScoringSettings { Quantize = false });
        var quantized = new HrnnRecommender(model.Artifact, new ScoringSettings { Quantize = true });
        // A filter that rejects most of the catalogue: the candidates come from the allowed items only.
        bool OddGenre(string item) => int.Parse(item[1..item.IndexOf('-')], System.Globalization.CultureInfo.InvariantCulture) % 3 == 1;
        foreach (var user in model.Artifact.Vocabulary.Users.Take(300))
        {
            var request = new RecommendationRequest { UserId = user, NumResults = 50, IsCandidate = OddGenre };
            Assert.Equal((await exact.RecommendAsync(request)).Select(i => i.ItemId), (await quantized.RecommendAsync(request)).Select(i => i.ItemId));
        }

        foreach (var item in model.Artifact.Vocabulary.Items.Take(300))
        {
            var request = new RecommendationRequest { ItemId = item, NumResults = 25 };
            Assert.Equal((await exact.RelatedItemsAsync(request)).Select(i => i.ItemId), (await quantized.RelatedItemsAsync(request)).Select(i => i.ItemId));
        }
    }
}
