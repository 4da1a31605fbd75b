using Personalize.Models.Artifacts;
using Personalize.Models.Training;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>aws-trending-now served over HTTP: no userId needed, filters apply, and PutEvents move the list.</summary>
[Collection(S3Collection.Name)]
public sealed class TrendingNowTests(S3Server s3)
{
    private const string Clicked = "arn:k8s:personalize:test::filter/not-clicked";

    // Trained with trend_discovery_frequency "1 hour": the newest training event is at TrainedUntil, on a slot's end.
    private const long Newest = TestModels.TrainedUntil - (TestModels.TrainedUntil % 600) - 1;

    /// <summary>"popular" (then "other") was clicked by many users a day ago, "popular" as often in each of the last two hours; "rising" surged in the last hour.</summary>
    private static ModelArtifact Trained()
    {
        var interactions = new List<Interaction>();
        for (var u = 0; u < 40; u++)
        {
            interactions.Add(new Interaction($"p{u}", "popular", Newest - 86_400 + u));
            if (u < 30)
            {
                interactions.Add(new Interaction($"p{u}", "other", Newest - 86_400 + u));
            }
        }

        interactions.Add(new Interaction("p0", "popular", Newest - 3000));
        interactions.Add(new Interaction("p1", "popular", Newest - 6000));
        for (var u = 0; u < 8; u++)
        {
            interactions.Add(new Interaction($"r{u}", "rising", Newest - (u * 100)));
        }

        var sequences = UserSequences.Build(interactions);
        var manifest = new ModelManifest
        {
            Recipe = "aws-trending-now",
            RecipeType = "POPULAR_ITEMS",
            HyperParameters = new() { [TrendWindow.Parameter] = "1 hour" },
            CreatedAt = DateTimeOffset.UtcNow.AddHours(-1),
        };
        return TrendingTrainer.Train(manifest, sequences, sequences, interactions);
    }

    [Fact]
    public async Task ServesTheSurgingItemFirst_WithoutAUser_ThroughFilters_AndPutEventsMakeANewItemTrend()
    {
        var config = await TestCampaign.CreateAsync(s3, Trained());
        config.Filters.Add(new() { FilterArn = Clicked, FilterExpression = "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\")" });
        await using var runtime = await RuntimeServer.StartAsync(s3, config);

        var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, numResults = 2 });
        reply.EnsureOk();
        Assert.Equal(["rising", "popular"], reply.Items("itemList"));
        Assert.False(reply.Json["itemList"]![0]!.AsObject().ContainsKey("score"));

        // A user who clicked the trending item does not get it back through an interaction filter.
        (await runtime.PutEventAsync("viewer", "rising", "click", Newest + 1)).EnsureOk();
        var filtered = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "viewer", filterArn = Clicked, numResults = 2 });
        Assert.Equal(["popular", "other"], filtered.Items("itemList"));

        // A new item the model never saw trends from real-time events alone.
        for (var u = 0; u < 12; u++)
        {
            (await runtime.PutEventAsync($"fan{u}", "launch", "click", Newest + 10)).EnsureOk();
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string> items;
        while ((items = (await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, numResults = 2 })).Items("itemList"))[0] != "launch")
        {
            Assert.True(DateTime.UtcNow < deadline, $"launch did not trend: {string.Join(", ", items)}");
            await Task.Delay(100);
        }

        Assert.Equal(["launch", "rising"], items);
    }
}
