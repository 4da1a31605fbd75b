using System.Net;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class PromotionTests(S3Server s3)
{
    private const string Promoted = "arn:k8s:personalize:test::filter/promoted";

    [Fact]
    public async Task APromotionGivesItsShareToItemsItsFilterSelects_NamedInTheAnswer()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Filters.Add(new() { FilterArn = Promoted, FilterExpression = "INCLUDE ItemID WHERE Items.LABEL IN ($LABEL)" });
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        (await runtime.PostAsync("/items", new { datasetArn = RuntimeServer.ItemsDatasetArn, items = new[] { new { itemId = "i3", properties = "{\"label\": \"sale\"}" } } })).EnsureOk();

        var reply = await runtime.PostAsync("/recommendations", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u1",
            numResults = 4,
            promotions = new[] { new { name = "summer-sale", percentPromotedItems = 25, filterArn = Promoted, filterValues = new Dictionary<string, string> { ["LABEL"] = "\"sale\"" } } },
        });
        reply.EnsureOk();
        var items = reply.Json["itemList"]!.AsArray();
        Assert.Equal(4, items.Count);
        Assert.Equal("i3", items[0]!["itemId"]!.GetValue<string>());
        Assert.Equal("summer-sale", items[0]!["promotionName"]!.GetValue<string>());
        Assert.Equal("i4", items[1]!["itemId"]!.GetValue<string>());
        Assert.Null(items[1]!["promotionName"]);
        Assert.Single(items, i => i!["itemId"]!.GetValue<string>() == "i3");
    }

    [Fact]
    public async Task BadPromotions_Are400_UnknownPromotionFilter_Is404()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/recommendations", new
            {
                campaignArn = RuntimeServer.CampaignArn,
                userId = "u1",
                promotions = new[] { new { name = "p", percentPromotedItems = 0, filterArn = Promoted } },
            }),
            "promotions[0].percentPromotedItems");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/recommendations", new
            {
                campaignArn = RuntimeServer.CampaignArn,
                userId = "u1",
                promotions = new[] { new { name = "p", percentPromotedItems = 10, filterArn = Promoted }, new { name = "q", percentPromotedItems = 10, filterArn = Promoted } },
            }),
            "promotions");
        var missing = await runtime.PostAsync("/recommendations", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u1",
            promotions = new[] { new { name = "p", percentPromotedItems = 10, filterArn = Promoted } },
        });
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }
}
