using Personalize.Api;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>itemExplorationConfig changes what is served, in proportion to explorationWeight, towards new and less-seen items.</summary>
public sealed class ExplorationTests
{
    private const int Places = 10;

    [Fact]
    public async Task ExplorationWeight_SetsTheShareOfNewAndLessSeenItems()
    {
        var taste = TasteData.Create(users: 300);
        // A late item: many users in its last hour, so popular, but new.
        var newest = taste.Interactions.Max(i => i.Timestamp);
        var late = Enumerable.Range(0, 150).Select(u => new Interaction($"u{u * 2}", "g0-late", newest + 60 + u));
        var trained = await Training.TrainAsync(Recipes.Hrnn, new TrainingData { Interactions = [.. taste.Interactions, .. late] });
        var model = RecommenderFactory.Create(trained.Artifact);
        var users = Enumerable.Range(0, 40).Select(u => $"u{u}").ToList();

        async Task<(double Share, ItemExploration Exploration)> ShareAsync(double weight)
        {
            var config = new Dictionary<string, string> { ["explorationWeight"] = weight.ToString(System.Globalization.CultureInfo.InvariantCulture), ["explorationItemAgeCutOff"] = "0.1" };
            var chosen = ItemExploration.Create(config, "itemExplorationConfig", trained.Artifact)!;
            var lists = new List<IReadOnlyList<RecommendedItem>>(users.Count);
            foreach (var user in users)
            {
                lists.Add(await chosen.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = Places }, model.RecommendAsync));
            }

            Assert.All(lists, list => Assert.Equal(Places, list.Select(i => i.ItemId).Distinct().Count()));
            return (lists.SelectMany(list => list).Average(i => chosen.IsExplorationItem(i.ItemId) ? 1.0 : 0.0), chosen);
        }

        var (baseline, none) = await ShareAsync(0);
        Assert.True(baseline < 0.5, $"without exploration {baseline:P0} of the items are new or less seen");
        var previous = baseline;
        foreach (var weight in new[] { 0.2, 0.5, 0.8, 1.0 })
        {
            // weight × places go to exploration items; the model's own picks fill the rest, about as before.
            var (share, _) = await ShareAsync(weight);
            Assert.InRange(share, Math.Max(weight, previous), Math.Min(1, weight + baseline + 0.1));
            previous = share;
        }

        Assert.True(none.IsExplorationItem("g0-late"), "a new item is not explored");
        Assert.Null(ItemExploration.Create(new Dictionary<string, string>(), "itemExplorationConfig", trained.Artifact));
        Assert.Throws<InvalidDataException>(() => ItemExploration.Create(new Dictionary<string, string> { ["explorationWeight"] = "2" }, "itemExplorationConfig", trained.Artifact));
    }
}
