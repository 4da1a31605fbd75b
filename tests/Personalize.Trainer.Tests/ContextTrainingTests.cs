using Personalize.Api;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>aws-hrnn-metadata learns from the events' context columns, and the request's context changes what it serves.</summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class ContextTrainingTests
{
    [Fact]
    public async Task PlantedDeviceContext_IsLearned_AndTheRequestsContextChangesTheAnswer()
    {
        // Each event's item depends on the device alone: phones pick from m0..m19, desktops from d0..d19, in any
        // order, so a user's history cannot tell what comes next and the context can.
        var random = new Random(7);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 300; u++)
        {
            for (var t = 0; t < 20; t++)
            {
                var mobile = random.NextDouble() < 0.5;
                var item = $"{(mobile ? 'm' : 'd')}{random.Next(20)}";
                interactions.Add(new Interaction($"u{u}", item, 1_700_000_000 + (t * 60), new Dictionary<string, string> { ["DEVICE"] = mobile ? "mobile" : "desktop" }));
            }
        }

        var data = new TrainingData { Interactions = interactions };
        // Enough epochs for the context to be learned on the training users less the validation users too: the
        // recipe keeps context only where it beats the model without it there.
        var settings = Training.Fast with { Epochs = 10 };
        var withContext = await Training.TrainAsync(Recipes.HrnnMetadata, data, settings: settings);
        var plain = await Training.TrainAsync(Recipes.Hrnn, data, settings: settings);

        Assert.Equal(["DEVICE=desktop", "DEVICE=mobile"], withContext.Artifact.Vocabulary.ContextTokens);
        var recommender = RecommenderFactory.Create(withContext.Artifact);
        Assert.Equal(["DEVICE"], recommender.ContextFields);
        Assert.Empty(RecommenderFactory.Create(plain.Artifact).ContextFields);

        var onPhone = await TopAsync(recommender, "u1", "mobile");
        var onDesktop = await TopAsync(recommender, "u1", "desktop");
        Assert.True(onPhone.Count(i => i.StartsWith('m')) >= 9, $"mobile: {string.Join(", ", onPhone)}");
        Assert.True(onDesktop.Count(i => i.StartsWith('d')) >= 9, $"desktop: {string.Join(", ", onDesktop)}");

        // Offline metrics ask with each held-out user's context, so the model that learned it measures better.
        Assert.True(
            withContext.Metrics["normalized_discounted_cumulative_gain_at_10"] > plain.Metrics["normalized_discounted_cumulative_gain_at_10"] * 1.3,
            $"NDCG@10 with context {withContext.Metrics["normalized_discounted_cumulative_gain_at_10"]:0.000}, without {plain.Metrics["normalized_discounted_cumulative_gain_at_10"]:0.000}");
    }

    private static async Task<List<string>> TopAsync(IRecommender recommender, string user, string device) =>
        (await recommender.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = 10, Context = new Dictionary<string, string> { ["DEVICE"] = device } }))
            .Select(r => r.ItemId).ToList();
}
