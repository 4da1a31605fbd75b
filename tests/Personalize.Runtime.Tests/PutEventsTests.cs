using System.Net;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class PutEventsTests(S3Server s3)
{
    [Fact]
    public async Task AnEventChangesTheUsersNextRecommendation_AndIsStoredBeforeThe200()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        Assert.Equal("i4", (await runtime.RecommendAsync("u1"))[0]);

        var reply = await runtime.PutEventAsync("u1", "i1");
        reply.EnsureOk();
        Assert.Equal(string.Empty, reply.Body);

        var next = await runtime.RecommendAsync("u1");
        Assert.Equal("i5", next[0]);

        // Durable before the 200: the record is already in the dataset group's real-time prefix.
        var rows = await RealtimeRows(config.DatasetGroupUri, "Interactions");
        Assert.Contains(rows, r => r.Contains("\"USER_ID\":\"u1\"", StringComparison.Ordinal) && r.Contains("\"ITEM_ID\":\"i1\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewUsersBecomeKnownFromTheirEvents()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        Assert.Equal("i7", (await runtime.RecommendAsync("newcomer"))[0]);
        (await runtime.PutEventAsync("newcomer", "i2")).EnsureOk();
        Assert.Equal("i6", (await runtime.RecommendAsync("newcomer"))[0]);
    }

    [Fact]
    public async Task AnonymousEventsPersonaliseTheirSession()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        (await runtime.PostAsync("/events", new
        {
            trackingId = RuntimeServer.TrackingId,
            sessionId = "anon-session",
            eventList = new[] { new { eventType = "click", itemId = "i1", sentAt = TestModels.TrainedUntil + 1 } },
        })).EnsureOk();
        Assert.Equal("i5", (await runtime.RecommendAsync("anon-session"))[0]);
    }

    [Fact]
    public async Task AnonymousAndItemlessEvents_AreStoredAsTrainingReadsThem_AndLoginHandsTheSessionToTheUser()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        (await runtime.PostAsync("/events", new
        {
            trackingId = RuntimeServer.TrackingId,
            sessionId = "web-1",
            eventList = new[] { new { eventType = "click", itemId = "i1", sentAt = TestModels.TrainedUntil + 1 } },
        })).EnsureOk();
        Assert.Equal("i7", (await runtime.RecommendAsync("u7"))[0]);

        // The login event carries both ids and no item.
        (await runtime.PostAsync("/events", new
        {
            trackingId = RuntimeServer.TrackingId,
            userId = "u7",
            sessionId = "web-1",
            eventList = new[] { new { eventType = "login", sentAt = TestModels.TrainedUntil + 2 } },
        })).EnsureOk();

        Assert.Equal("i5", (await runtime.RecommendAsync("u7"))[0]);
        // What the next training reads: the anonymous click as u7's, the login skipped and counted.
        var reader = new DatasetReader(RuntimeServer.Store(s3), S3Uri.Parse(config.DatasetGroupUri));
        var events = new List<Interaction>();
        await foreach (var e in reader.ReadInteractionsAsync())
        {
            events.Add(e);
        }

        Assert.Equal([("u7", "i1")], events.Select(e => (e.UserId, e.ItemId)));
        Assert.Equal(1, reader.EventsWithoutItem);
    }

    [Fact]
    public async Task ConcurrentEventsAreAllAcknowledgedAndStored_InFewerWritesThanRequests()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => runtime.PutEventAsync($"burst{i}", "i3")));
        Assert.All(replies, r => r.EnsureOk());
        var store = RuntimeServer.Store(s3);
        var prefix = StoreLayout.RealtimeData(S3Uri.Parse(config.DatasetGroupUri), "Interactions");
        var objects = new List<ObjectInfo>();
        await foreach (var o in store.ListAsync(prefix, CancellationToken.None))
        {
            objects.Add(o);
        }

        var rows = await RealtimeRows(config.DatasetGroupUri, "Interactions");
        Assert.Equal(40, rows.Count);
        Assert.True(objects.Count < 40, $"group commit should batch concurrent requests; {objects.Count} objects for 40 requests");
    }

    [Fact]
    public async Task Limits_AndBadEvents_Are400NamingTheField()
    {
        await using var runtime = await RuntimeServer.StartAsync(s3, await TestCampaign.CreateAsync(s3));
        var tracking = RuntimeServer.TrackingId;
        object Event(string itemId = "i1") => new { eventType = "click", itemId, sentAt = 1_700_000_100 };
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = Enumerable.Range(0, 11).Select(_ => Event()).ToArray() }),
            "eventList");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = Array.Empty<object>() }), "eventList");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", eventList = new[] { Event() } }), "sessionId");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = new string('u', 257), sessionId = "s", eventList = new[] { Event() } }), "userId");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = new[] { Event(new string('i', 257)) } }), "eventList[0].itemId");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = new[] { new { eventType = "click", itemId = "i1" } } }), "eventList[0].sentAt");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = new[] { new { eventType = "click", sentAt = 1, properties = "{\"userId\":\"x\"}" } } }),
            "eventList[0].properties");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = new[] { new { eventType = "click", sentAt = 1, properties = "not json" } } }),
            "eventList[0].properties");
        // Found in review: a lone-surrogate escape returned 500, and 1e400 was stored (as infinity).
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = new[] { new { eventType = "click", sentAt = 1, properties = "{\"c\":\"\\ud800\"}" } } }),
            "eventList[0].properties.c");
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/events", new { trackingId = tracking, userId = "u1", sessionId = "s", eventList = new[] { new { eventType = "click", sentAt = 1, properties = "{\"c\":1e400}" } } }),
            "eventList[0].properties.c");
        Assert.Empty(await RealtimeRows(runtime.Config.DatasetGroupUri, "Interactions"));
        var unknownTracker = await runtime.PostAsync("/events", new { trackingId = "other", userId = "u1", sessionId = "s", eventList = new[] { Event() } });
        Assert.Equal(HttpStatusCode.NotFound, unknownTracker.Status);
        Assert.Equal("ResourceNotFoundException", unknownTracker.ErrorType);
    }

    [Fact]
    public async Task PutItemsAndPutUsers_AreStoredAndFeedFilters()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Filters.Add(new() { FilterArn = "arn:k8s:personalize:test::filter/genre", FilterExpression = "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)" });
        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        (await runtime.PostAsync("/items", new
        {
            datasetArn = RuntimeServer.ItemsDatasetArn,
            items = new[] { new { itemId = "i5", properties = "{\"genre\": \"Comedy|Drama\"}" }, new { itemId = "i6", properties = "{\"genre\": \"Horror\"}" } },
        })).EnsureOk();
        (await runtime.PostAsync("/users", new { datasetArn = RuntimeServer.UsersDatasetArn, users = new[] { new { userId = "u1", properties = "{\"age\": 30}" } } })).EnsureOk();

        var reply = await runtime.PostAsync("/recommendations", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u1",
            filterArn = "arn:k8s:personalize:test::filter/genre",
            filterValues = new Dictionary<string, string> { ["GENRE"] = "\"Comedy\"" },
        });
        Assert.Equal(["i5"], reply.Items("itemList"));
        Assert.Single(await RealtimeRows(config.DatasetGroupUri, "Users"));
        Assert.Equal(2, (await RealtimeRows(config.DatasetGroupUri, "Items")).Count);

        var wrongDataset = await runtime.PostAsync("/items", new { datasetArn = RuntimeServer.UsersDatasetArn, items = new[] { new { itemId = "x" } } });
        Assert.Equal(HttpStatusCode.NotFound, wrongDataset.Status);
        GetRecommendationsTests.AssertInvalidInput(
            await runtime.PostAsync("/users", new { datasetArn = RuntimeServer.UsersDatasetArn, users = Enumerable.Range(0, 11).Select(i => new { userId = $"u{i}" }).ToArray() }), "users");
    }

    internal async Task<List<string>> RealtimeRows(string datasetGroupUri, string datasetType)
    {
        var store = RuntimeServer.Store(s3);
        var rows = new List<string>();
        await foreach (var o in store.ListAsync(StoreLayout.RealtimeData(S3Uri.Parse(datasetGroupUri), datasetType), CancellationToken.None))
        {
            await using var stream = await store.OpenReadAsync(o.Uri, CancellationToken.None);
            using var reader = new StreamReader(stream);
            rows.AddRange((await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return rows;
    }
}
