using System.Text;
using System.Text.Json.Nodes;
using Personalize.Api;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>
/// Members of Personalize's requests that this product cannot honour (domains, AWS KMS, metric attributions) are
/// refused at once with InvalidInputException naming the member, and nothing is created; so is a value the CRD's
/// schema refuses (once an internal failure); a domain filter on ListRecipes lists nothing, as no recipe here is a
/// domain recipe.
/// </summary>
public sealed class UnsupportedSettingsTests
{
    private const string InteractionsSchema = """{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}]}""";

    [Theory]
    [InlineData("""{"name":"Shop","domain":"ECOMMERCE"}""", "domain")]
    [InlineData("""{"name":"Shop","kmsKeyArn":"arn:aws:kms:us-east-1:123456789012:key/1234abcd"}""", "kmsKeyArn")]
    [InlineData("""{"name":"Shop","roleArn":"arn:aws:iam::123456789012:role/PersonalizeKms"}""", "roleArn")]
    public async Task CreateDatasetGroup_WithAnUnsupportedMember_Is400NamingIt_AndCreatesNothing(string request, string member)
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        var (status, body) = await CallAsync(http, "CreateDatasetGroup", request);

        AssertRefused(status, body, member);
        Assert.Empty(gateway.Store.List<DatasetGroup>("default"));
    }

    [Fact]
    public async Task CreateSchema_WithADomain_Is400NamingIt_AndCreatesNothing()
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };
        var request = new JsonObject { ["name"] = "Interactions", ["schema"] = InteractionsSchema, ["domain"] = "VIDEO_ON_DEMAND" };

        var (status, body) = await CallAsync(http, "CreateSchema", request.ToJsonString());

        AssertRefused(status, body, "domain");
        Assert.Empty(gateway.Store.List<Schema>("default"));
    }

    [Fact]
    public async Task CreateDatasetImportJob_PublishingAttributionMetrics_Is400NamingIt_AndCreatesNothing()
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };
        var group = (await SuccessfulCallAsync(http, "CreateDatasetGroup", """{"name":"Shop"}"""))["datasetGroupArn"]!.GetValue<string>();
        var schema = (await SuccessfulCallAsync(http, "CreateSchema", new JsonObject { ["name"] = "Interactions", ["schema"] = InteractionsSchema }.ToJsonString()))["schemaArn"]!.GetValue<string>();
        var dataset = (await SuccessfulCallAsync(http, "CreateDataset", new JsonObject { ["name"] = "Interactions", ["datasetGroupArn"] = group, ["schemaArn"] = schema, ["datasetType"] = "Interactions" }.ToJsonString()))["datasetArn"]!.GetValue<string>();
        var request = new JsonObject
        {
            ["jobName"] = "Import_1",
            ["datasetArn"] = dataset,
            ["dataSource"] = new JsonObject { ["dataLocation"] = "s3://bucket/interactions.csv" },
            ["publishAttributionMetricsToS3"] = true,
        };

        var (status, body) = await CallAsync(http, "CreateDatasetImportJob", request.ToJsonString());

        AssertRefused(status, body, "publishAttributionMetricsToS3");
        Assert.Empty(gateway.Store.List<DatasetImportJob>("default"));
        request["publishAttributionMetricsToS3"] = false;
        await SuccessfulCallAsync(http, "CreateDatasetImportJob", request.ToJsonString());
        Assert.Single(gateway.Store.List<DatasetImportJob>("default"));
    }

    [Theory]
    [InlineData("eventType", "eventType")]
    [InlineData("eventValueThreshold", "solutionConfig.eventValueThreshold")]
    public async Task CreateSolution_WithAValueTheSchemaRefuses_Is400NamingTheMember_AndCreatesNothing(string setting, string member)
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };
        var group = (await SuccessfulCallAsync(http, "CreateDatasetGroup", """{"name":"Shop"}"""))["datasetGroupArn"]!.GetValue<string>();
        var request = new JsonObject { ["name"] = "Hrnn", ["datasetGroupArn"] = group, ["recipeArn"] = "arn:aws:personalize:::recipe/aws-hrnn" };
        if (setting == "eventType")
        {
            request["eventType"] = new string('x', 300); // at most 256
        }
        else
        {
            request["solutionConfig"] = new JsonObject { ["eventValueThreshold"] = "1e5" }; // a plain decimal only
        }

        var (status, body) = await CallAsync(http, "CreateSolution", request.ToJsonString());

        AssertRefused(status, body, member);
        Assert.Empty(gateway.Store.List<Solution>("default"));
    }

    [Fact]
    public async Task ListRecipes_ForADomain_ListsNone()
    {
        await using var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        Assert.NotEmpty((await SuccessfulCallAsync(http, "ListRecipes", """{"recipeProvider":"SERVICE"}"""))["recipes"]!.AsArray());
        Assert.Empty((await SuccessfulCallAsync(http, "ListRecipes", """{"recipeProvider":"SERVICE","domain":"ECOMMERCE"}"""))["recipes"]!.AsArray());
    }

    private static void AssertRefused(int status, JsonNode body, string member)
    {
        Assert.Equal(400, status);
        Assert.Equal("InvalidInputException", body["__type"]!.GetValue<string>());
        Assert.Contains(member, body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>A call that must succeed; its reply.</summary>
    private static async Task<JsonNode> SuccessfulCallAsync(HttpClient http, string operation, string request)
    {
        var (status, body) = await CallAsync(http, operation, request);
        Assert.True(status == 200, $"{operation}: {status} {body.ToJsonString()}");
        return body;
    }

    private static async Task<(int Status, JsonNode Body)> CallAsync(HttpClient http, string operation, string request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(request, Encoding.UTF8, "application/x-amz-json-1.1") };
        message.Headers.Add("X-Amz-Target", $"AmazonPersonalize.{operation}");
        using var reply = await http.SendAsync(message);
        return ((int)reply.StatusCode, JsonNode.Parse(await reply.Content.ReadAsStringAsync())!);
    }
}
