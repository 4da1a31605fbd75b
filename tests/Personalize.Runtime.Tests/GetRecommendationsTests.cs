using System.Net;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class GetRecommendationsTests(S3Server s3)
{
    [Fact]
    public async Task KnownUser_GetsScoredItemsOfTheGroupTheyTouched_WithRecommendationId()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", numResults = 3 });
        reply.EnsureOk();
        Assert.Equal("i4", reply.Items("itemList")[0]);
        var first = reply.Json["itemList"]![0]!;
        Assert.InRange(first["score"]!.GetValue<double>(), 0.0, 1.0);
        Assert.Matches("^RID-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", reply.Json["recommendationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ItemExplorationConfig_GivesItsShareOfPlacesToLessSeenItems()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.CampaignConfig.ItemExplorationConfig = new() { ["explorationWeight"] = "0.5" };
        await using var runtime = await RuntimeServer.StartAsync(s3, config);

        var items = await runtime.RecommendAsync("u1", numResults: 4);

        // The least popular quarter of the catalogue (popularity i7 > ... > i0) takes half the places, the first among them.
        string[] lessSeen = ["i0", "i1", "i2"];
        Assert.Equal(4, items.Distinct().Count());
        Assert.Contains(items[0], lessSeen);
        Assert.True(items.Count(lessSeen.Contains) >= 2, string.Join(", ", items));
    }

    [Fact]
    public void ABadItemExplorationConfig_IsRefusedAtStart_NamingTheSetting()
    {
        var file = Path.Combine(Path.GetTempPath(), $"runtime-{Guid.NewGuid():N}.json");
        var config = RuntimeServer.ConfigFor(Personalize.Data.Storage.S3Uri.Parse("s3://bucket/group/"), Personalize.Data.Storage.S3Uri.Parse("s3://bucket/model/"));
        config.CampaignConfig.ItemExplorationConfig = new() { ["explorationWeight"] = "1.5" };
        File.WriteAllText(file, Personalize.Jobs.JobJson.Serialize(config));
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => RuntimeArguments.Load(file));
            Assert.Contains("campaignConfig.itemExplorationConfig.explorationWeight", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task DefaultsTo25Results_CappedByCatalogue_AndZeroGivesNone()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var all = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1" });
        // The whole catalogue: the items u1 already interacted with stay candidates, as in Personalize.
        Assert.Equal(TestModels.Items.Length, all.Items("itemList").Count);
        var none = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", numResults = 0 });
        Assert.Empty(none.Items("itemList"));
    }

    [Fact]
    public async Task UnknownUser_GetsPopularItemsWithoutScores()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "stranger", numResults = 3 });
        Assert.Equal(["i7", "i6", "i5"], reply.Items("itemList"));
        // Absent, not null, as Personalize writes it: strict clients read a null double as an error.
        var first = reply.Json["itemList"]![0]!.AsObject();
        Assert.False(first.ContainsKey("score"));
        Assert.False(first.ContainsKey("promotionName"));
    }

    [Theory]
    [InlineData(501, "numResults")]
    [InlineData(-1, "numResults")]
    public async Task NumResultsOutOfRange_Is400NamingTheField(int numResults, string field)
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", numResults });
        AssertInvalidInput(reply, field);
    }

    [Fact]
    public async Task BadInput_Is400InvalidInputNamingTheField_NeverA500()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var arn = RuntimeServer.CampaignArn;
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = arn, userId = new string('u', 257) }), "userId");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = arn, itemId = new string('i', 257), userId = "u1" }), "itemId");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = arn }), "userId");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { userId = "u1" }), "campaignArn");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = "not-an-arn", userId = "u1" }), "campaignArn");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = arn, userId = "u1", numResults = "many" }), "numResults");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", "{\"campaignArn\": "), "request body");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = arn, userId = "u1", context = new Dictionary<string, string> { ["bad key"] = "x" } }), "context");
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = arn, userId = "u1", metadataColumns = new { ITEMS = new[] { "GENRE" } } }), "metadataColumns");
    }

    [Fact]
    public async Task UnknownCampaignOrFilter_Is404ResourceNotFound()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var campaign = await runtime.PostAsync("/recommendations", new { campaignArn = "arn:k8s:personalize:test::campaign/other", userId = "u1" });
        Assert.Equal(HttpStatusCode.NotFound, campaign.Status);
        Assert.Equal("ResourceNotFoundException", campaign.ErrorType);
        Assert.Contains("campaign/other", campaign.Message, StringComparison.Ordinal);
        var filter = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", filterArn = "arn:k8s:personalize:test::filter/nope" });
        Assert.Equal(HttpStatusCode.NotFound, filter.Status);
        Assert.Equal("ResourceNotFoundException", filter.ErrorType);
    }

    [Fact]
    public async Task BodyIsReadWhateverTheContentType()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var body = new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", numResults = 1 };
        Assert.Equal(["i4"], (await runtime.PostAsync("/recommendations", body, contentType: null)).Items("itemList"));
        Assert.Equal(["i4"], (await runtime.PostAsync("/recommendations", body, "application/x-amz-json-1.1")).Items("itemList"));
        Assert.Equal(["i4"], (await runtime.PostAsync("/recommendations", body, "text/plain")).Items("itemList"));
    }

    [Fact]
    public async Task RelatedItemsCampaign_NeedsItemId_AndReturnsNoScores()
    {
        var config = await TestCampaign.CreateAsync(s3, TestModels.Hrnn("aws-sims-like-hrnn", "RELATED_ITEMS"));
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        AssertInvalidInput(await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1" }), "itemId");
        var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, itemId = "i1", numResults = 2 });
        reply.EnsureOk();
        Assert.Equal("i5", reply.Items("itemList")[0]);
        Assert.DoesNotContain("i1", reply.Items("itemList"));
        Assert.Null(reply.Json["itemList"]![0]!["score"]);
    }

    [Fact]
    public async Task NullMetadataColumn_OnACampaignWithMetadata_Is400NamingIt()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.CampaignConfig.EnableMetadataWithRecommendations = true;
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var arn = RuntimeServer.CampaignArn;
        AssertInvalidInput(await runtime.PostAsync("/recommendations", "{\"campaignArn\": \"" + arn + "\", \"userId\": \"u1\", \"metadataColumns\": {\"ITEMS\": [null]}}"), "metadataColumns.ITEMS[0]");
        AssertInvalidInput(
            await runtime.PostAsync("/personalize-ranking", "{\"campaignArn\": \"" + arn + "\", \"userId\": \"u1\", \"inputList\": [\"i1\"], \"metadataColumns\": {\"ITEMS\": [\"GENRE\", null]}}"),
            "metadataColumns.ITEMS[1]");
        (await runtime.PostAsync("/recommendations", new { campaignArn = arn, userId = "u1", metadataColumns = new { ITEMS = new[] { "GENRE" } } })).EnsureOk();
    }

    internal static void AssertInvalidInput(Reply reply, string field)
    {
        Assert.True(reply.Status == HttpStatusCode.BadRequest, $"expected 400, got {(int)reply.Status}: {reply.Body}");
        Assert.Equal("InvalidInputException", reply.ErrorType);
        Assert.Contains(field, reply.Message, StringComparison.Ordinal);
    }
}
