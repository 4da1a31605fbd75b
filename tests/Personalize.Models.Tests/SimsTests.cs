using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;

namespace Personalize.Models.Tests;

public sealed class SimsTests
{
    /// <summary>
    /// 300 users each see random items; a third of them also see the planted pair (p1, p2) and another third the
    /// pair (q1, q2), so those pairs co-occur far beyond chance.
    /// </summary>
    private static UserSequences PlantedData()
    {
        var random = new Random(11);
        var interactions = new List<Interaction>();
        for (var u = 0; u < 300; u++)
        {
            var time = 0;
            foreach (var item in Enumerable.Range(0, 8).Select(_ => $"i{random.Next(200)}"))
            {
                interactions.Add(new($"u{u}", item, time++));
            }

            if (u % 3 == 0)
            {
                interactions.Add(new($"u{u}", "p1", time++));
                interactions.Add(new($"u{u}", "p2", time++));
            }
            else if (u % 3 == 1)
            {
                interactions.Add(new($"u{u}", "q1", time++));
                interactions.Add(new($"u{u}", "q2", time));
            }
        }

        return UserSequences.Build(interactions);
    }

    private static IRecommender Train(UserSequences data, double discount = 0.5, int minCount = 3) =>
        RecommenderFactory.Create(SimsTrainer.Train(new ModelManifest { Recipe = "aws-sims" }, data, data, discount, minCount, CancellationToken.None));

    [Fact]
    public async Task RelatedItems_FindThePlantedCoOccurrences()
    {
        var model = Train(PlantedData());

        Assert.Equal("p2", (await model.RelatedItemsAsync(new RecommendationRequest { ItemId = "p1", NumResults = 5 }))[0].ItemId);
        Assert.Equal("q1", (await model.RelatedItemsAsync(new RecommendationRequest { ItemId = "q2", NumResults = 5 }))[0].ItemId);
        Assert.False(model.ReturnsScores);
    }

    [Fact]
    public async Task RelatedItems_OfAnUnknownItem_ArePopularItems_AndNeverTheItemItself()
    {
        var model = Train(PlantedData());

        var unknown = await model.RelatedItemsAsync(new RecommendationRequest { ItemId = "never-seen", NumResults = 3 });
        var known = await model.RelatedItemsAsync(new RecommendationRequest { ItemId = "p1", NumResults = 500 });

        Assert.Equal(model.Popular(new RecommendationRequest { NumResults = 3 }).Select(i => i.ItemId), unknown.Select(i => i.ItemId));
        Assert.DoesNotContain(known, i => i.ItemId == "p1");
        Assert.Equal(known.Count, known.Select(i => i.ItemId).Distinct().Count());
    }

    [Fact]
    public async Task MinCointeractionCount_DropsRarePairs_SoOnlyPopularFallbackRemains()
    {
        var data = UserSequences.Build([new("u1", "x", 1), new("u1", "y", 2), new("u2", "y", 1), new("u2", "z", 2), new("u3", "z", 1)]);

        var strict = Train(data, minCount: 2);
        var loose = Train(data, minCount: 1);

        // x and y co-occur once: kept at 1, dropped at 2 (then z, the most popular other item, comes first).
        Assert.Equal("y", (await loose.RelatedItemsAsync(new RecommendationRequest { ItemId = "x" }))[0].ItemId);
        Assert.Equal(["y", "z"], (await strict.RelatedItemsAsync(new RecommendationRequest { ItemId = "x" })).Select(i => i.ItemId).Order());
    }
}
