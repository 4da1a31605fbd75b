using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class PersonalizedRankingTests(S3Server s3)
{
    [Fact]
    public async Task RanksTheListForTheUser_ScoresSumToOne_UnknownItemsLastWithoutScore()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3, TestModels.Hrnn("aws-personalized-ranking", "PERSONALIZED_RANKING")));
        var reply = await runtime.PostAsync("/personalize-ranking", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u2",
            inputList = new[] { "i1", "new-item", "i6", "i3" },
        });
        reply.EnsureOk();
        Assert.Equal(["i6", "i3", "i1", "new-item"], reply.Items("personalizedRanking"));
        var ranked = reply.Json["personalizedRanking"]!.AsArray();
        Assert.Equal(1.0, ranked.Take(3).Sum(i => i!["score"]!.GetValue<double>()), 6);
        Assert.Null(ranked[3]!["score"]);
        Assert.StartsWith("RID-", reply.Json["recommendationId"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_AndRequiredFields_Are400()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var arn = RuntimeServer.CampaignArn;
        var tooMany = Enumerable.Range(0, 501).Select(i => $"i{i}").ToArray();
        GetRecommendationsTests.AssertInvalidInput(await runtime.PostAsync("/personalize-ranking", new { campaignArn = arn, userId = "u1", inputList = tooMany }), "inputList");
        GetRecommendationsTests.AssertInvalidInput(await runtime.PostAsync("/personalize-ranking", new { campaignArn = arn, inputList = new[] { "i1" } }), "userId");
        GetRecommendationsTests.AssertInvalidInput(await runtime.PostAsync("/personalize-ranking", new { campaignArn = arn, userId = "u1" }), "inputList");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/personalize-ranking", new { campaignArn = arn, userId = "u1", inputList = new[] { new string('x', 257) } }), "inputList[0]");
        var max = Enumerable.Range(0, 500).Select(i => $"i{i}").ToArray();
        (await runtime.PostAsync("/personalize-ranking", new { campaignArn = arn, userId = "u1", inputList = max })).EnsureOk();
    }
}
