using System.Diagnostics;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

[Collection(S3Collection.Name)]
public sealed class StartupTests(S3Server s3)
{
    [Fact]
    public async Task MetadataStoredBeforeStartFeedsFiltersAndMetadataColumns()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.CampaignConfig.EnableMetadataWithRecommendations = true;
        config.Filters.Add(new() { FilterArn = "arn:k8s:personalize:test::filter/cheap", FilterExpression = "INCLUDE ItemID WHERE Items.PRICE < 10" });
        var writer = new RealtimeRecordWriter(RuntimeServer.Store(s3), S3Uri.Parse(config.DatasetGroupUri), "importer");
        await writer.AppendItemsAsync(
        [
            new ItemRecord("i4", null, new Dictionary<string, object?> { ["PRICE"] = 20.0, ["GENRE"] = "Drama" }),
            new ItemRecord("i5", null, new Dictionary<string, object?> { ["PRICE"] = 5.0, ["GENRE"] = "Comedy|Family" }),
        ]);

        await using var runtime = await RuntimeServer.StartAsync(s3, config);
        var reply = await runtime.PostAsync("/recommendations", new
        {
            campaignArn = RuntimeServer.CampaignArn,
            userId = "u1",
            numResults = 2,
            metadataColumns = new { ITEMS = new[] { "GENRE" } },
        });
        reply.EnsureOk();
        Assert.Equal("i4", reply.Items("itemList")[0]);
        Assert.Equal("Drama", reply.Json["itemList"]![0]!["metadata"]!["GENRE"]!.GetValue<string>());
        var cheap = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = "u1", filterArn = "arn:k8s:personalize:test::filter/cheap" });
        Assert.Equal(["i5"], cheap.Items("itemList"));
    }

    [Fact]
    public async Task ABadConfigFileExitsWithTheReason()
    {
        var file = Path.Combine(Path.GetTempPath(), $"runtime-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JobJson.Serialize(new RuntimeConfig { CampaignArn = RuntimeServer.CampaignArn, ModelUri = "not-s3", DatasetGroupUri = "s3://bucket/group/" }));
        var startInfo = new ProcessStartInfo("dotnet");
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "personalize-runtime.dll"), "--config", file })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in RuntimeServer.StoreEnvironment(s3))
        {
            startInfo.Environment[name] = value;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var result = await ProcessRunner.RunAsync(startInfo, standardInput: null, timeout.Token);
        File.Delete(file);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("modelUri \"not-s3\" is not an s3:// location", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotReadyUntilTheModelExists_ThenServes()
    {
        var config = await TestCampaign.CreateAsync(s3);
        var missingModel = StoreLayout.Model(S3Uri.Parse(config.DatasetGroupUri), "solution", "v2");
        config.ModelUri = missingModel.ToString();
        var port = FreePort.Next();
        await using var app = RuntimeApp.Create(config, RuntimeServer.Store(s3), ["--urls", $"http://127.0.0.1:{port}"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Wait.UntilAsync(
            async ct =>
            {
                using var notReady = await client.GetAsync("/readyz", ct);
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
                return (await notReady.Content.ReadAsStringAsync(ct)).Contains("manifest.json", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(30),
            "/readyz to say why the model is not loaded");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        await TestModels.SaveAsync(RuntimeServer.Store(s3), S3Uri.Parse(config.DatasetGroupUri), TestModels.Hrnn(), "v2");
        await Wait.UntilAsync(async ct => (await client.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the runtime to load the model once it exists");
        await app.StopAsync();
    }

    [Fact]
    public async Task OnStopItTurnsNotReadyButServesThroughTheDrainPeriod()
    {
        var config = await TestCampaign.CreateAsync(s3);
        var port = FreePort.Next();
        await using var app = RuntimeApp.Create(
            config, RuntimeServer.Store(s3), ["--urls", $"http://127.0.0.1:{port}", $"--{Serving.ShutdownDrain.Setting}=10"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Wait.UntilAsync(async ct => (await client.GetAsync("/readyz", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the runtime to turn ready");

        // What SIGTERM does: the host starts stopping.
        var stopping = app.StopAsync();
        await Wait.UntilAsync(
            async ct => (await client.GetAsync("/readyz", ct)).StatusCode == System.Net.HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(10),
            "/readyz to turn not ready on stop");
        using var served = await client.PostAsync(
            "/recommendations",
            new StringContent($$"""{"campaignArn":"{{RuntimeServer.CampaignArn}}","userId":"u1","numResults":3}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, served.StatusCode);
        Assert.False(stopping.IsCompleted);
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
