using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Minio.DataModel.Args;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>
/// The quickstart on a node: imports and training run in trainer containers, campaigns serve from runtime containers
/// behind their Services, and clients outside the pod network reach them through <c>kubectl port-forward</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LifecycleTests(InstalledProduct product)
{
    private const string ForYou = "quickstart-for-you";
    private static readonly TimeSpan TrainingTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task TheImportJobRunsTheTrainerImageAndImportsTheRows()
    {
        using var timeout = new CancellationTokenSource(TrainingTimeout);
        await product.WaitForPhaseAsync("datasetimportjob", "quickstart-interactions", "ACTIVE", TrainingTimeout, timeout.Token);

        Assert.Equal("20000", await product.FieldAsync("datasetimportjob", "quickstart-interactions", "{.status.rowsImported}", timeout.Token));
        var job = await product.GetJsonAsync(timeout.Token, "jobs", "-n", InstalledProduct.Shop, "-l", "personalize.io/owner-name=quickstart-interactions");
        var spec = job.GetProperty("items")[0].GetProperty("spec").GetProperty("template").GetProperty("spec");
        var (repository, tag) = product.Node.Images["trainer"];
        Assert.Equal($"{repository}:{tag}", spec.GetProperty("containers")[0].GetProperty("image").GetString());
        Assert.Equal(1, job.GetProperty("items")[0].GetProperty("status").GetProperty("succeeded").GetInt32());
    }

    [Fact]
    public async Task TheTrainingJobTrainsInItsContainerAndReportsMetrics()
    {
        using var timeout = new CancellationTokenSource(TrainingTimeout);
        await product.WaitForPhaseAsync("solutionversion", "quickstart-hrnn-v1", "ACTIVE", TrainingTimeout, timeout.Token);

        var metrics = await product.GetJsonAsync(timeout.Token, "solutionversion", "quickstart-hrnn-v1", "-n", InstalledProduct.Shop);
        var ndcg = metrics.GetProperty("status").GetProperty("metrics").GetProperty("normalized_discounted_cumulative_gain_at_10").GetDouble();
        Assert.InRange(ndcg, 0.05, 1.0);
    }

    [Fact]
    public async Task ACampaignServesThroughItsServiceAndPutEventsChangesTheNextAnswer()
    {
        using var timeout = new CancellationTokenSource(TrainingTimeout);
        var ct = timeout.Token;
        await product.WaitForPhaseAsync("campaign", ForYou, "ACTIVE", TrainingTimeout, ct);
        await product.WaitForPhaseAsync("eventtracker", "quickstart-events", "ACTIVE", TimeSpan.FromMinutes(1), ct);
        var arn = await product.FieldAsync("campaign", ForYou, "{.status.arn}", ct);
        var trackingId = await product.FieldAsync("eventtracker", "quickstart-events", "{.status.trackingId}", ct);

        // What the operator scraped from the pods: how they score (500 items: exact) and what each is planned to serve.
        await product.WaitAsync(
            async t => await product.FieldAsync("campaign", ForYou, "{.status.scoringMethod}", t) == "exact"
                && double.TryParse(await product.FieldAsync("campaign", ForYou, "{.status.tpsPerReplica}", t), System.Globalization.CultureInfo.InvariantCulture, out var perReplica)
                && perReplica > 0,
            TimeSpan.FromMinutes(1),
            $"campaign {ForYou}'s status to show its scoring method and TPS per replica",
            ct);

        var (forward, port) = await product.Node.PortForwardAsync(InstalledProduct.Shop, $"service/{ForYou}", 80, ct);
        await using (forward)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new("Bearer", await product.TokenAsync(ForYou, ct));
            var before = await RecommendAsync(http, arn, "u7", ct);
            Assert.Equal(10, before.Count);

            // A few views of items outside what was recommended: the session changes the next answer at once.
            var viewed = Enumerable.Range(0, 500).Select(i => $"i{i}").Where(i => !before.Contains(i)).Take(3).ToList();
            var events = new JsonObject
            {
                ["trackingId"] = trackingId,
                ["userId"] = "u7",
                ["sessionId"] = "cluster-session",
                ["eventList"] = new JsonArray(viewed.Select((item, n) => (JsonNode)new JsonObject
                {
                    ["eventType"] = "view",
                    ["itemId"] = item,
                    ["sentAt"] = 1_800_000_000 + n,
                }).ToArray()),
            };
            using (var put = await http.PostAsync("/events", new StringContent(events.ToJsonString(), Encoding.UTF8, "application/json"), ct))
            {
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(ct));
            }

            var after = await RecommendAsync(http, arn, "u7", ct);
            Assert.NotEqual(before, after);
        }
    }

    [Fact]
    public async Task Boto3ReachesTheCampaignThroughAPortForward()
    {
        using var timeout = new CancellationTokenSource(TrainingTimeout);
        var ct = timeout.Token;
        await product.WaitForPhaseAsync("campaign", ForYou, "ACTIVE", TrainingTimeout, ct);
        await product.WaitForPhaseAsync("eventtracker", "quickstart-events", "ACTIVE", TimeSpan.FromMinutes(1), ct);
        var arn = await product.FieldAsync("campaign", ForYou, "{.status.arn}", ct);
        var trackingId = await product.FieldAsync("eventtracker", "quickstart-events", "{.status.trackingId}", ct);
        var itemsArn = await product.FieldAsync("dataset", "quickstart-items", "{.status.arn}", ct);
        var usersArn = await product.FieldAsync("dataset", "quickstart-users", "{.status.arn}", ct);

        var (forward, port) = await product.Node.PortForwardAsync(InstalledProduct.Shop, $"service/{ForYou}", 80, ct);
        await using (forward)
        {
            var startInfo = new ProcessStartInfo("python3")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "boto3_client.py"), $"http://127.0.0.1:{port}", arn, trackingId, itemsArn, usersArn },
                Environment =
                {
                    ["PERSONALIZE_RUNTIME_TOKEN"] = await product.TokenAsync(ForYou, ct),
                    // The quickstart's Items schema (examples/quickstart/01-schemas.yaml).
                    ["PERSONALIZE_ITEM_PROPERTIES"] = """{"categoryL1":"books","genres":"Drama","creationTimestamp":1700000000}""",
                },
            };
            var result = (await ProcessRunner.RunAsync(startInfo, standardInput: null, ct)).EnsureSuccess("boto3_client.py");
            var seen = JsonNode.Parse(result.StdOut)!;
            Assert.Equal(3, seen["before"]!.AsArray().Count);
            Assert.Equal(3, seen["after"]!.AsArray().Count);
            Assert.Equal(3, seen["ranking"]!.AsArray().Count);
            Assert.StartsWith("InvalidInputException: numResults", seen["tooMany"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ABatchInferenceJobWritesItsOutFile()
    {
        using var timeout = new CancellationTokenSource(TrainingTimeout);
        var ct = timeout.Token;
        var input = string.Join('\n', Enumerable.Range(1, 20).Select(u => $"{{\"userId\": \"u{u}\"}}")) + "\n";
        var bytes = Encoding.UTF8.GetBytes(input);
        using (var stream = new MemoryStream(bytes))
        {
            await product.Node.S3.Client.PutObjectAsync(
                new PutObjectArgs().WithBucket(InstalledProduct.DataBucket).WithObject("batch/users.jsonl").WithStreamData(stream).WithObjectSize(bytes.Length),
                ct);
        }

        (await product.Node.Kube.KubectlAsync(["apply", "-n", InstalledProduct.Shop, "-f", "-"], $$"""
            apiVersion: personalize.io/v1alpha1
            kind: BatchInferenceJob
            metadata:
              name: nightly
            spec:
              solutionVersionRef:
                name: quickstart-hrnn-v1
              numResults: 5
              jobInput:
                s3DataSource:
                  path: s3://{{InstalledProduct.DataBucket}}/batch/users.jsonl
              jobOutput:
                s3DataDestination:
                  path: s3://{{InstalledProduct.DataBucket}}/batch/out/
            """, ct)).EnsureSuccess("kubectl apply BatchInferenceJob");
        await product.WaitForPhaseAsync("batchinferencejob", "nightly", "ACTIVE", TrainingTimeout, ct);

        using var output = new MemoryStream();
        await product.Node.S3.Client.GetObjectAsync(
            new GetObjectArgs().WithBucket(InstalledProduct.DataBucket).WithObject("batch/out/users.jsonl.out").WithCallbackStream(s => s.CopyTo(output)),
            ct);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, lines.Length);
        Assert.All(lines, line => Assert.Equal(5, JsonNode.Parse(line)!["output"]!["recommendedItems"]!.AsArray().Count));
    }

    private static async Task<List<string>> RecommendAsync(HttpClient http, string arn, string user, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/recommendations", new { campaignArn = arn, userId = user, numResults = 10 }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("itemList").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!).ToList();
    }
}
