using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>The request's `context` changes the answer of a model trained with context, and is refused where it cannot.</summary>
[Collection(S3Collection.Name)]
public sealed class ContextTests(S3Server s3)
{
    [Fact]
    public async Task Context_MovesRecommendationsAndRanking_ForAModelTrainedWithIt()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3, TestModels.HrnnWithContext()));
        var arn = RuntimeServer.CampaignArn;

        // u1 touched i0 (group 0): without context i4 is next; on mobile group 1 wins, on desktop group 3.
        Assert.Equal("i4", await FirstAsync(runtime, new { campaignArn = arn, userId = "u1" }));
        Assert.Equal("i5", await FirstAsync(runtime, new { campaignArn = arn, userId = "u1", context = new Dictionary<string, string> { ["DEVICE"] = "mobile" } }));
        Assert.Equal("i7", await FirstAsync(runtime, new { campaignArn = arn, userId = "u1", context = new Dictionary<string, string> { ["device"] = "desktop" } }));
        // A value training never saw is a valid request that moves nothing.
        Assert.Equal("i4", await FirstAsync(runtime, new { campaignArn = arn, userId = "u1", context = new Dictionary<string, string> { ["DEVICE"] = "watch" } }));

        var ranked = await runtime.PostAsync("/personalize-ranking", new { campaignArn = arn, userId = "u1", inputList = new[] { "i4", "i5", "i7" }, context = new Dictionary<string, string> { ["DEVICE"] = "desktop" } });
        ranked.EnsureOk();
        Assert.Equal("i7", ranked.Items("personalizedRanking")[0]);

        // And the cached state is not changed by a request's context: the next plain request answers as before.
        Assert.Equal("i4", await FirstAsync(runtime, new { campaignArn = arn, userId = "u1" }));
    }

    [Fact]
    public async Task ContextTheModelCannotUse_Is400NamingIt()
    {
        await using (var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3, TestModels.HrnnWithContext())))
        {
            GetRecommendationsTests.AssertInvalidInput(
                await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", context = new Dictionary<string, string> { ["LOCATION"] = "Paris" } }),
                "context.LOCATION: not a context field of this campaign's model; it knows DEVICE");
        }

        await using (var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3)))
        {
            GetRecommendationsTests.AssertInvalidInput(
                await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", context = new Dictionary<string, string> { ["DEVICE"] = "mobile" } }),
                "context: this campaign's model (aws-hrnn) was trained without contextual metadata");
            GetRecommendationsTests.AssertInvalidInput(
                await runtime.PostAsync("/personalize-ranking", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", inputList = new[] { "i4" }, context = new Dictionary<string, string> { ["DEVICE"] = "mobile" } }),
                "context:");
        }
    }

    private static async Task<string> FirstAsync(RuntimeServer runtime, object body)
    {
        var reply = await runtime.PostAsync("/recommendations", body);
        reply.EnsureOk();
        return reply.Items("itemList")[0];
    }
}
