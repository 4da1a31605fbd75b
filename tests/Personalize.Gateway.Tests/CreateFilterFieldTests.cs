using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Personalize.Api;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>
/// CreateFilter refuses, before anything is stored, a filter whose field the runtime has no values for (it would
/// silently match nothing), by the operator's own check against the group's schemas.
/// </summary>
public sealed class CreateFilterFieldTests
{
    private const string ItemsSchema = """
        {"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","fields":[
          {"name":"ITEM_ID","type":"string"},{"name":"GENRES","type":["null","string"],"categorical":true},
          {"name":"DESCRIPTION","type":["null","string"],"textual":true}],"version":"1.0"}
        """;

    [Theory]
    [InlineData("Items.COLOR", "INCLUDE ItemID WHERE Items.COLOR IN ($COLORS)",
        "filterExpression: at position 22: Items.COLOR is not a column of the Items dataset's schema; Items fields a filter can use: GENRES.")]
    [InlineData("Items.DESCRIPTION", "EXCLUDE ItemID WHERE Items.GENRES IN ($GENRES) | EXCLUDE ItemID WHERE Items.DESCRIPTION IN (\"used\")",
        "filterExpression: at position 71: Items.DESCRIPTION is a textual field, and filters cannot use unstructured text; Items fields a filter can use: GENRES.")]
    [InlineData("Interactions.DEVICE", "EXCLUDE ItemID WHERE Interactions.DEVICE IN (\"mobile\")",
        "filterExpression: at position 22: Interactions.DEVICE is not a column interaction filters read (contextual metadata is not filtered on); Interactions fields a filter can use: EVENT_TYPE, ITEM_ID, EVENT_VALUE, TIMESTAMP.")]
    public async Task AFieldTheFilterCannotUse_Is400InvalidInput_NamingIt_AndNothingIsStored(string field, string expression, string message)
    {
        await using var gateway = await ShopWithItemsAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        var (status, body) = await CreateFilterAsync(http, "refused", expression);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidInputException", body["__type"]!.GetValue<string>());
        Assert.Equal(message, body["message"]!.GetValue<string>());
        Assert.Contains(field, message, StringComparison.Ordinal);
        Assert.Null(gateway.Store.Get<Filter>("default", "refused"));
    }

    [Fact]
    public async Task UsableFields_AreCreated()
    {
        await using var gateway = await ShopWithItemsAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Endpoint) };

        var (status, body) = await CreateFilterAsync(http, "in-genre",
            "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\") | INCLUDE ItemID WHERE Items.GENRES IN ($GENRES)");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("arn:k8s:personalize:default::filter/in-genre", body["filterArn"]!.GetValue<string>());
        Assert.NotNull(gateway.Store.Get<Filter>("default", "in-genre"));
    }

    /// <summary>A group with an Items dataset and its schema, as CreateSchema and CreateDataset leave them.</summary>
    private static async Task<FolderGateway> ShopWithItemsAsync()
    {
        var gateway = await FolderGateway.StartAsync(new GatewayOptions());
        await gateway.Store.CreateAsync(new DatasetGroup { Metadata = Meta("shop") }, CancellationToken.None);
        await gateway.Store.CreateAsync(new Schema { Metadata = Meta("shop-items"), Spec = new SchemaSpec { SchemaJson = ItemsSchema } }, CancellationToken.None);
        await gateway.Store.CreateAsync(
            new Dataset
            {
                Metadata = Meta("shop-items"),
                Spec = new DatasetSpec { DatasetGroupRef = new ResourceRef { Name = "shop" }, SchemaRef = new ResourceRef { Name = "shop-items" }, DatasetType = "Items" },
            },
            CancellationToken.None);
        return gateway;
    }

    private static V1ObjectMeta Meta(string name) => new() { Name = name, NamespaceProperty = "default" };

    private static async Task<(HttpStatusCode Status, JsonNode Body)> CreateFilterAsync(HttpClient http, string name, string expression)
    {
        var request = new JsonObject
        {
            ["name"] = name,
            ["datasetGroupArn"] = "arn:k8s:personalize:default::dataset-group/shop",
            ["filterExpression"] = expression,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        message.Headers.Add("X-Amz-Target", "AmazonPersonalize.CreateFilter");
        using var reply = await http.SendAsync(message);
        return (reply.StatusCode, JsonNode.Parse(await reply.Content.ReadAsStringAsync())!);
    }
}
