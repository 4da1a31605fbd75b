using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Testing;

namespace Personalize.Runtime.Tests;

/// <summary>A runtime on a loopback port (the real Kestrel server, in this process) over the test S3 server.</summary>
public sealed class RuntimeServer : IAsyncDisposable
{
    public const string CampaignArn = "arn:k8s:personalize:test::campaign/movies";
    public const string TrackingId = "7d2e9a51-3c1b-4a7e-9f10-2b6c8d4e5f60";
    public const string UsersDatasetArn = "arn:k8s:personalize:test::dataset/movies/USERS";
    public const string ItemsDatasetArn = "arn:k8s:personalize:test::dataset/movies/ITEMS";

    private readonly WebApplication _app;

    private RuntimeServer(WebApplication app, RuntimeConfig config, int port)
    {
        _app = app;
        Config = config;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public RuntimeConfig Config { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>A config for a campaign over this dataset group and model, with the test tracker and datasets.</summary>
    public static RuntimeConfig ConfigFor(S3Uri datasetGroup, S3Uri model) => new()
    {
        CampaignArn = CampaignArn,
        CampaignName = "movies",
        SolutionVersionArn = "arn:k8s:personalize:test::solution/movies/v1",
        ModelUri = model.ToString(),
        DatasetGroupUri = datasetGroup.ToString(),
        TrackingIds = [TrackingId],
        UsersDatasetArn = UsersDatasetArn,
        ItemsDatasetArn = ItemsDatasetArn,
    };

    /// <summary>The environment a runtime process needs to reach the test S3 server (docs/contracts.md, contract 1).</summary>
    public static Dictionary<string, string> StoreEnvironment(S3Server s3) => new()
    {
        [ObjectStoreFactory.EndpointVariable] = s3.Endpoint,
        [ObjectStoreFactory.AccessKeyVariable] = s3.AccessKey,
        [ObjectStoreFactory.SecretKeyVariable] = s3.SecretKey,
        [ObjectStoreFactory.RegionVariable] = s3.Region,
    };

    public static IObjectStore Store(S3Server s3) => ObjectStoreFactory.FromVariables(StoreEnvironment(s3).GetValueOrDefault);

    public static Task<RuntimeServer> StartAsync(S3Server s3, RuntimeConfig config) => StartAsync(Store(s3), config);

    public static async Task<RuntimeServer> StartAsync(IObjectStore store, RuntimeConfig config)
    {
        var port = FreePort.Next();
        var app = RuntimeApp.Create(config, store, ["--urls", $"http://127.0.0.1:{port}"]);
        await app.StartAsync();
        var server = new RuntimeServer(app, config, port);
        await server.WaitReadyAsync();
        return server;
    }

    public async Task WaitReadyAsync() =>
        await Wait.UntilAsync(
            async ct => (await Client.GetAsync("/readyz", ct)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the runtime to turn ready");

    /// <summary>POSTs a JSON body as botocore would (application/json) and returns status, body and headers.</summary>
    public async Task<Reply> PostAsync(string path, object body, string? contentType = "application/json")
    {
        var json = body as string ?? JsonSerializer.Serialize(body);
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await Client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.Single() : null;
        return new Reply(response.StatusCode, text, errorType);
    }

    /// <summary>Item ids of GetRecommendations for a user, best first.</summary>
    public async Task<List<string>> RecommendAsync(string userId, int numResults = 3)
    {
        var reply = await PostAsync("/recommendations", new { campaignArn = CampaignArn, userId, numResults });
        reply.EnsureOk();
        return reply.Items("itemList");
    }

    public Task<Reply> PutEventAsync(string userId, string itemId, string eventType = "click", long sentAt = TestModels.TrainedUntil + 10) =>
        PostAsync("/events", new
        {
            trackingId = TrackingId,
            userId,
            sessionId = "s-" + userId,
            eventList = new[] { new { eventType, itemId, sentAt } },
        });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One HTTP answer of the runtime.</summary>
public sealed record Reply(HttpStatusCode Status, string Body, string? ErrorType)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("empty body");

    public string Message => Json["message"]!.GetValue<string>();

    public List<string> Items(string list) => Json[list]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToList();

    public void EnsureOk()
    {
        if (Status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"expected 200, got {(int)Status} {ErrorType}: {Body}");
        }
    }
}
