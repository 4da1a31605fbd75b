using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Personalize.Bench.Runtime;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Runtime;

// personalize-bench-runtime [--items 10000,100000,1000000] [--hidden 64,128] [--seconds 10] [--concurrency 8] [--no-http]
var items = Option("--items", "10000,100000,1000000").Split(',').Select(int.Parse).ToArray();
var hiddens = Option("--hidden", "64,128").Split(',').Select(int.Parse).ToArray();
var seconds = double.Parse(Option("--seconds", "10"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(Option("--concurrency", "8"), CultureInfo.InvariantCulture);
var http = !args.Contains("--no-http");

Console.WriteLine($"# {Environment.ProcessorCount} cores, {RuntimeInformationText()}, concurrency {concurrency}, {seconds} s per HTTP run");
Console.WriteLine("| items | hidden | model MB | brute-force dot+top25 µs | in-process GetRecommendations p50/p99 µs | HTTP TPS | HTTP p50/p99 ms |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
foreach (var itemCount in items)
{
    foreach (var hidden in hiddens)
    {
        Console.WriteLine(await MeasureAsync(itemCount, hidden));
    }
}

return 0;

async Task<string> MeasureAsync(int itemCount, int hidden)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var artifact = SyntheticModel.Hrnn(itemCount, hidden);
    var recommender = RecommenderFactory.Create(artifact);
    var modelMb = (GC.GetTotalMemory(forceFullCollection: true) - before) / (1024.0 * 1024.0);

    var iterations = Math.Clamp(400_000_000 / (itemCount * hidden), 20, 2000);
    var bruteForce = BruteForce(artifact.Tensor("item_output").Floats!, itemCount, hidden, iterations);
    var inProcess = new Latencies();
    var random = new Random(1);
    for (var i = 0; i < iterations; i++)
    {
        var request = new RecommendationRequest { UserId = $"user-{random.Next(SyntheticModel.Users)}", NumResults = 25, ExcludeConsumed = true };
        var started = Stopwatch.GetTimestamp();
        recommender.Recommend(request);
        inProcess.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
    }

    var row = $"| {itemCount:N0} | {hidden} | {modelMb:F0} | {bruteForce:F0} | {inProcess.Percentile(50):F0} / {inProcess.Percentile(99):F0} |";
    if (!http)
    {
        return row + " - | - |";
    }

    var root = Directory.CreateTempSubdirectory("personalize-bench-");
    try
    {
        var store = new FolderObjectStore(root.FullName);
        var group = new StoreLayout("bench").DatasetGroup("bench", "catalogue");
        var model = StoreLayout.Model(group, "solution", "v1");
        await artifact.SaveAsync(store, model, CancellationToken.None);
        artifact = null;
        recommender = null;
        GC.Collect();
        var (tps, latencies) = await LoadAsync(store, group, model);
        return row + $" {tps:F0} | {latencies.Percentile(50) / 1000:F1} / {latencies.Percentile(99) / 1000:F1} |";
    }
    finally
    {
        root.Delete(recursive: true);
    }
}

async Task<(double Tps, Latencies Latencies)> LoadAsync(IObjectStore store, S3Uri group, S3Uri model)
{
    var port = FreePort();
    var config = new RuntimeConfig
    {
        CampaignArn = "arn:k8s:personalize:bench::campaign/bench",
        ModelUri = model.ToString(),
        DatasetGroupUri = group.ToString(),
    };
    await using var app = RuntimeApp.Create(config, store, ["--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"]);
    await app.StartAsync();
    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    while (!(await client.GetAsync("/readyz")).IsSuccessStatusCode)
    {
        await Task.Delay(100);
    }

    async Task<Latencies> Worker(int id, TimeSpan duration)
    {
        var random = new Random(id);
        var latencies = new Latencies();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            var body = $"{{\"campaignArn\":\"{config.CampaignArn}\",\"userId\":\"user-{random.Next(SyntheticModel.Users)}\",\"numResults\":25}}";
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync("/recommendations", new StringContent(body, Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return latencies;
    }

    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Worker(i, TimeSpan.FromSeconds(Math.Min(2, seconds / 5)))));
    var measured = Stopwatch.StartNew();
    var results = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Worker(100 + i, TimeSpan.FromSeconds(seconds))));
    var elapsed = measured.Elapsed.TotalSeconds;
    var all = new Latencies();
    foreach (var result in results)
    {
        all.AddRange(result);
    }

    await app.StopAsync();
    return (all.Count / elapsed, all);
}

// The physical limit: one dot product per item against a state, then the 25 best; mean µs per query.
static double BruteForce(float[] itemOutput, int itemCount, int hidden, int iterations)
{
    var state = new float[hidden];
    for (var j = 0; j < hidden; j++)
    {
        state[j] = (j % 7) / 7f;
    }

    var logits = new float[itemCount];
    var started = Stopwatch.GetTimestamp();
    for (var i = 0; i < iterations; i++)
    {
        for (var row = 0; row < itemCount; row++)
        {
            logits[row] = TensorPrimitives.Dot(itemOutput.AsSpan(row * hidden, hidden), state);
        }

        TopK.Largest(logits, 25);
    }

    return Stopwatch.GetElapsedTime(started).TotalMicroseconds / iterations;
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
