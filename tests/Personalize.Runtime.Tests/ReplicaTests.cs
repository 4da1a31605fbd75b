using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class ReplicaTests(S3Server s3)
{
    [Fact]
    public async Task TwoReplicasOfACampaignSeeEachOthersEvents()
    {
        var config = await TestCampaign.CreateAsync(s3);
        await using var a = await RuntimeServer.StartAsync(s3, config);
        await using var b = await RuntimeServer.StartAsync(s3, config);
        Assert.Equal("i4", (await b.RecommendAsync("u1"))[0]);

        (await a.PutEventAsync("u1", "i3")).EnsureOk();
        await Wait.UntilAsync(async _ => (await b.RecommendAsync("u1"))[0] == "i7", TimeSpan.FromSeconds(5), "replica b to see a's event");

        (await b.PutEventAsync("u2", "i1")).EnsureOk();
        await Wait.UntilAsync(async _ => (await a.RecommendAsync("u2"))[0] == "i5", TimeSpan.FromSeconds(5), "replica a to see b's event");
    }

    [Fact]
    public async Task PollsListOnlyRecentObjects_HoweverLongTheHistory_AndStillSeePeersEvents()
    {
        var config = await TestCampaign.CreateAsync(s3);
        var store = RuntimeServer.Store(s3);
        var yesterday = new FixedTime(DateTimeOffset.UtcNow.AddDays(-1));
        var history = new RealtimeRecordWriter(store, S3Uri.Parse(config.DatasetGroupUri), "old-replica", yesterday);
        for (var i = 0; i < 50; i++)
        {
            await history.AppendAsync("Interactions", [new Dictionary<string, object?> { ["USER_ID"] = $"old{i}", ["ITEM_ID"] = "i1", ["TIMESTAMP"] = TestModels.TrainedUntil + 1 }]);
        }

        var observed = new InstrumentedStore(store);
        await using var replica = await RuntimeServer.StartAsync(observed, config);
        await using var peer = await RuntimeServer.StartAsync(s3, config);
        Assert.Equal("i5", (await replica.RecommendAsync("old7"))[0]);

        var (lists, keys) = (observed.Lists, observed.ListedKeys);
        await Wait.UntilAsync(() => observed.Lists > lists + 30, TimeSpan.FromSeconds(10), "several polls");
        Assert.True(observed.ListedKeys - keys < 10, $"{observed.ListedKeys - keys} keys listed by {observed.Lists - lists} listings after start-up");

        (await peer.PutEventAsync("u1", "i3")).EnsureOk();
        await Wait.UntilAsync(async _ => (await replica.RecommendAsync("u1"))[0] == "i7", TimeSpan.FromSeconds(5), "the replica to see the peer's event");
    }

    [Fact]
    public async Task AKilledRuntimeRestartedLosesNoAcknowledgedEvent()
    {
        var config = await TestCampaign.CreateAsync(s3);
        var acknowledged = new List<string>();
        await using (var first = await RuntimeProcess.StartAsync(s3, config))
        {
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            var sends = Enumerable.Range(0, 20).Select(async i =>
            {
                var body = JsonSerializer.Serialize(new
                {
                    trackingId = RuntimeServer.TrackingId,
                    userId = $"crash{i}",
                    sessionId = "s",
                    eventList = new[] { new { eventType = "click", itemId = "i2", sentAt = TestModels.TrainedUntil + 5 } },
                });
                using var response = await client.PostAsync("/events", new StringContent(body, Encoding.UTF8, "application/json"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add($"crash{i}");
                    }
                }
            }).ToList();
            await Task.WhenAll(sends);
            first.Kill();
        }

        Assert.Equal(20, acknowledged.Count);
        await using var second = await RuntimeProcess.StartAsync(s3, config);
        using var after = new HttpClient { BaseAddress = second.BaseAddress };
        foreach (var user in acknowledged)
        {
            var body = JsonSerializer.Serialize(new { campaignArn = RuntimeServer.CampaignArn, userId = user, numResults = 1 });
            using var response = await after.PostAsync("/recommendations", new StringContent(body, Encoding.UTF8, "application/json"));
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            // Popular for a stranger would be i7; after the event on i2 the user's next item is i6.
            Assert.Equal("i6", json["itemList"]![0]!["itemId"]!.GetValue<string>());
        }
    }

    /// <summary>A clock stopped at one time, to write objects named as an old writer would have.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
