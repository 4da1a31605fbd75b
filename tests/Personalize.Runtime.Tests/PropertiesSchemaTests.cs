using System.Net;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>PutItems/PutUsers properties against the datasets' schemas (TestCampaign.ItemsSchema / UsersSchema).</summary>
[Collection(S3Collection.Name)]
public sealed class PropertiesSchemaTests(S3Server s3)
{
    [Fact]
    public async Task UnknownFieldOrWrongType_Is400NamingTheProperty_AndNothingOfTheRequestIsStored()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var manyKeys = "{" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"k{i}\":1")) + "}";

        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"genre\":\"Drama\"}"), ("i2", "{\"colour\":\"red\"}")), "items[1].properties.colour");
        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"creationTimestamp\":\"yesterday\"}")), "items[0].properties.creationTimestamp");
        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"price\":1e400}")), "items[0].properties.price");
        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"rating\":1e39}")), "items[0].properties.rating");
        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"inStock\":\"yes\"}")), "items[0].properties.inStock");
        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"itemId\":\"i9\"}")), "items[0].properties.itemId");
        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", manyKeys)), "items[0].properties.k0");
        GetRecommendationsTests.AssertInvalidInput(await PutUsersAsync(runtime, "{\"age\":\"thirty\"}"), "users[0].properties.age");
        GetRecommendationsTests.AssertInvalidInput(await PutUsersAsync(runtime, "{\"age\":3000000000}"), "users[0].properties.age");
        GetRecommendationsTests.AssertInvalidInput(await PutUsersAsync(runtime, "{\"membership\":null}"), "users[0].properties.membership");

        Assert.Empty(await RealtimeObjectsAsync(config, DatasetTypes.Items));
        Assert.Empty(await RealtimeObjectsAsync(config, DatasetTypes.Users));

        (await PutItemsAsync(runtime, ("i1", "{\"genre\":[\"Comedy\",\"Drama\"],\"price\":9.5,\"inStock\":true,\"creationTimestamp\":1700000000}"))).EnsureOk();
        (await PutUsersAsync(runtime, "{\"age\":31,\"MEMBERSHIP\":\"gold\"}")).EnsureOk();
        var item = Assert.Single(await ReadAsync(new DatasetReader(RuntimeServer.Store(s3), S3Uri.Parse(config.DatasetGroupUri)).ReadItemsAsync()));
        Assert.Equal("Comedy|Drama", item.Fields["GENRE"]);
        Assert.Equal(9.5, item.Fields["PRICE"]);
        Assert.Equal(true, item.Fields["IN_STOCK"]);
        Assert.Equal(1700000000L, item.CreationTimestamp);
    }

    [Fact]
    public async Task WithoutASchemaYet_PropertiesAre400_RecordsWithoutPropertiesAreStored_UntilTheDatasetStoresItsSchema()
    {
        var config = await TestCampaign.CreateAsync(s3);
        var store = RuntimeServer.Store(s3);
        await store.DeleteAsync(StoreLayout.DatasetSchema(S3Uri.Parse(config.DatasetGroupUri), DatasetTypes.Items), CancellationToken.None);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);

        GetRecommendationsTests.AssertInvalidInput(await PutItemsAsync(runtime, ("i1", "{\"genre\":\"Drama\"}")), "items[0].properties");
        (await PutItemsAsync(runtime, ("i1", null))).EnsureOk();

        // The dataset becoming ACTIVE stores its schema, with no import yet; the runtime picks it up without a restart.
        Assert.True(await StoredSchema.EnsureAsync(store, S3Uri.Parse(config.DatasetGroupUri), TestCampaign.ItemsSchema, CancellationToken.None));
        (await PutItemsAsync(runtime, ("i1", "{\"genre\":\"Drama\"}"))).EnsureOk();

        // Every reconcile ensures it again: an identical stored schema is not rewritten.
        Assert.False(await StoredSchema.EnsureAsync(store, S3Uri.Parse(config.DatasetGroupUri), TestCampaign.ItemsSchema, CancellationToken.None));
    }

    [Fact]
    public async Task RecordsStoredBeforeTheCheck_AreCutToTheSchema_WhenReplayedAndWhenTrainingReadsThem()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.CampaignConfig.EnableMetadataWithRecommendations = true;
        var store = RuntimeServer.Store(s3);
        var group = S3Uri.Parse(config.DatasetGroupUri);
        var legacy = new Dictionary<string, object?> { ["ITEM_ID"] = "i4", ["GENRE"] = "Horror", ["CREATION_TIMESTAMP"] = "yesterday" };
        for (var i = 0; i < 5000; i++)
        {
            legacy[$"JUNK_{i}"] = "x";
        }

        await new RealtimeRecordWriter(store, group, "old-runtime").AppendAsync(DatasetTypes.Items, [legacy]);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);

        var reply = await runtime.PostAsync("/recommendations", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u1",
            numResults = 1,
            metadataColumns = new { ITEMS = new[] { "GENRE", "JUNK_1" } },
        });
        reply.EnsureOk();
        Assert.Equal("i4", reply.Items("itemList")[0]);
        var metadata = reply.Json["itemList"]![0]!["metadata"]!.AsObject();
        Assert.Equal(["GENRE"], metadata.Select(m => m.Key));

        var item = Assert.Single(await ReadAsync(new DatasetReader(store, group).ReadItemsAsync()));
        Assert.Null(item.CreationTimestamp);
        Assert.Equal(TestCampaign.ItemsSchema.Fields.Count - 2, item.Fields.Count);
    }

    private static Task<Reply> PutItemsAsync(RuntimeServer runtime, params (string Id, string? Properties)[] items) =>
        runtime.PostAsync("/items", new { datasetArn = RuntimeServer.ItemsDatasetArn, items = items.Select(i => new { itemId = i.Id, properties = i.Properties }).ToArray() });

    private static Task<Reply> PutUsersAsync(RuntimeServer runtime, string properties) =>
        runtime.PostAsync("/users", new { datasetArn = RuntimeServer.UsersDatasetArn, users = new[] { new { userId = "u1", properties } } });

    private async Task<List<ObjectInfo>> RealtimeObjectsAsync(Personalize.Jobs.RuntimeConfig config, string datasetType) =>
        await ReadAsync(RuntimeServer.Store(s3).ListAsync(StoreLayout.RealtimeData(S3Uri.Parse(config.DatasetGroupUri), datasetType), CancellationToken.None));

    private static async Task<List<T>> ReadAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
