using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Runtime;
using Personalize.Testing;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// A recommendationId on an event is the event's implicit impressions: the runtime keeps what it served under the id in
/// the store, and the next training reads it, whichever replica served it and whichever took the event.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class ServedListsTests(S3Server s3)
{
    private const string CampaignArn = "arn:k8s:personalize:test::campaign/served";
    private const string TrackingId = "5b7c2f10-8d4e-4a31-9c6b-0e2f4a6b8d10";

    [Fact]
    public async Task WhatOneReplicaServed_BecomesTheImpressions_OfEventsAnotherReplicaTook()
    {
        var store = ObjectStoreFactory.FromVariables(new Dictionary<string, string>
        {
            [ObjectStoreFactory.EndpointVariable] = s3.Endpoint,
            [ObjectStoreFactory.AccessKeyVariable] = s3.AccessKey,
            [ObjectStoreFactory.SecretKeyVariable] = s3.SecretKey,
            [ObjectStoreFactory.RegionVariable] = s3.Region,
        }.GetValueOrDefault);
        var group = new StoreLayout(await s3.CreateBucketAsync()).DatasetGroup("test", "served");
        var modelUri = StoreLayout.Model(group, "solution", "v1");
        await (await Training.TrainAsync(Recipes.PopularityCount, TasteData.Create(users: 40))).Artifact.SaveAsync(store, modelUri, CancellationToken.None);
        var config = new RuntimeConfig
        {
            CampaignArn = CampaignArn,
            CampaignName = "served",
            ModelUri = modelUri.ToString(),
            DatasetGroupUri = group.ToString(),
            TrackingIds = [TrackingId],
        };

        // Replica A writes its served lists only when it stops (a long flush interval): they must survive the restart.
        config.Realtime.ServedListFlushMilliseconds = 600_000;
        List<string> recommended, ranked;
        string recommendationId, rankingId;
        await using (var a = await Replica.StartAsync(config, store))
        {
            var recommendation = await a.PostAsync("/recommendations", new { campaignArn = CampaignArn, userId = "u1", numResults = 5 });
            recommended = [.. recommendation["itemList"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>())];
            recommendationId = recommendation["recommendationId"]!.GetValue<string>();
            var ranking = await a.PostAsync("/personalize-ranking", new { campaignArn = CampaignArn, userId = "u2", inputList = new[] { "g0-3", "g1-5", "g2-7" } });
            ranked = [.. ranking["personalizedRanking"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>())];
            rankingId = ranking["recommendationId"]!.GetValue<string>();
        }

        config.Realtime.ServedListFlushMilliseconds = 50;
        await using (var b = await Replica.StartAsync(config, store))
        {
            await b.PutEventAsync("u1", new { eventType = "click", itemId = recommended[2], sentAt = 1_800_000_000, recommendationId });
            await b.PutEventAsync("u2", new { eventType = "click", itemId = ranked[0], sentAt = 1_800_000_001, recommendationId = rankingId });
            // Another user's click cannot have been shown u1's list; an id nobody served is unknown.
            await b.PutEventAsync("u3", new { eventType = "click", itemId = recommended[0], sentAt = 1_800_000_002, recommendationId });
            await b.PutEventAsync("u4", new { eventType = "click", itemId = recommended[0], sentAt = 1_800_000_003, recommendationId = "RID-never-served" });
            // An explicit impression wins over the recommendation's list.
            await b.PutEventAsync("u1", new { eventType = "click", itemId = recommended[1], sentAt = 1_800_000_004, recommendationId, impression = new[] { recommended[1], "g4-9" } });
        }

        var data = await TrainingDataLoader.LoadAsync(store, group, null, null, CancellationToken.None);

        var shown = data.Impressions.ToDictionary(i => (i.UserId, i.ItemId), i => i.Items);
        Assert.Equal(3, shown.Count);
        Assert.Equal(recommended, shown[("u1", recommended[2])]);
        Assert.Equal(ranked, shown[("u2", ranked[0])]);
        Assert.Equal([recommended[1], "g4-9"], shown[("u1", recommended[1])]);
        Assert.Equal(2, data.ImplicitImpressions);
        Assert.Equal(2, data.UnresolvedRecommendationIds);
    }

    /// <summary>One runtime replica over the shared store, on its own port.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly Microsoft.AspNetCore.Builder.WebApplication _app;
        private readonly HttpClient _client;

        private Replica(Microsoft.AspNetCore.Builder.WebApplication app, string url)
        {
            _app = app;
            _client = new HttpClient { BaseAddress = new Uri(url) };
        }

        public static async Task<Replica> StartAsync(RuntimeConfig config, IObjectStore store)
        {
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var app = RuntimeApp.Create(config, store, ["--urls", url]);
            await app.StartAsync();
            var replica = new Replica(app, url);
            await Wait.UntilAsync(async ct => (await replica._client.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the runtime to turn ready");
            return replica;
        }

        public async Task<JsonObject> PostAsync(string path, object body)
        {
            using var response = await _client.PostAsJsonAsync(path, body);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }

        public async Task PutEventAsync(string userId, object @event)
        {
            using var response = await _client.PostAsJsonAsync("/events", new { trackingId = TrackingId, userId, sessionId = $"s-{userId}", eventList = new[] { @event } });
            response.EnsureSuccessStatusCode();
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
