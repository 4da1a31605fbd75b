using System.Net;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class FilterHttpTests(S3Server s3)
{
    private const string Purchased = "arn:k8s:personalize:test::filter/not-purchased";
    private const string Genre = "arn:k8s:personalize:test::filter/genre";

    [Fact]
    public async Task InteractionFilterDropsWhatTheUserJustBought_OnRecommendationsAndRanking()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Filters.Add(new() { FilterArn = Purchased, FilterExpression = "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\")" });
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        (await runtime.PutEventAsync("u9", "i7", "purchase")).EnsureOk();
        (await runtime.PutEventAsync("u9", "i3", "click", TestModels.TrainedUntil + 20)).EnsureOk();
        var ranking = await runtime.PostAsync("/personalize-ranking", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u9",
            inputList = new[] { "i7", "i3", "i0" },
            filterArn = Purchased,
        });
        Assert.Equal(["i3", "i0"], ranking.Items("personalizedRanking"));
        var recommendations = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u9", filterArn = Purchased });
        Assert.DoesNotContain("i7", recommendations.Items("itemList"));
    }

    [Fact]
    public async Task MissingIncludeValue_Is400_UnknownFilter_Is404()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Filters.Add(new() { FilterArn = Genre, FilterExpression = "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)" });
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", filterArn = Genre }), "filterValues.GENRE");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/recommendations", new
            {
                campaignArn = RuntimeServer.CampaignArn,
                userId = "u1",
                filterArn = Genre,
                filterValues = new Dictionary<string, string> { ["GENRE"] = "Comedy" },
            }),
            "filterValues.GENRE");
        var missing = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", filterArn = Genre + "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }
}
