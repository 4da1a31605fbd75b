using System.Diagnostics;
using System.Globalization;
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
Console.WriteLine("| items | hidden | model MB | brute-force dot+top25 CPU µs | in-process GetRecommendations CPU µs | in-process p50/p99 wall µs | HTTP TPS | HTTP p50/p99 ms | HTTP CPU µs/request |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
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
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < iterations; i++)
    {
        var request = new RecommendationRequest { UserId = $"user-{random.Next(SyntheticModel.Users)}", NumResults = 25 };
        var started = Stopwatch.GetTimestamp();
        recommender.Recommend(request);
        inProcess.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
    }

    var inProcessCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / iterations;
    var row = $"| {itemCount:N0} | {hidden} | {modelMb:F0} | {bruteForce:F0} | {inProcessCpu:F0} | {inProcess.Percentile(50):F0} / {inProcess.Percentile(99):F0} |";
    if (!http)
    {
        return row + " - | - | - |";
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
        var (tps, latencies, cpuPerRequest) = await LoadAsync(store, group, model);
        return row + $" {tps:F0} | {latencies.Percentile(50) / 1000:F1} / {latencies.Percentile(99) / 1000:F1} | {cpuPerRequest:F0} |";
    }
    finally
    {
        root.Delete(recursive: true);
    }
}

// Load from `concurrency` loopback clients; CPU per request counts server and client (one process), so it overstates
// the server's share: a conservative basis for tpsPerReplica.
async Task<(double Tps, Latencies Latencies, double CpuMicrosPerRequest)> LoadAsync(IObjectStore store, S3Uri group, S3Uri model)
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
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var results = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Worker(100 + i, TimeSpan.FromSeconds(seconds))));
    var elapsed = measured.Elapsed.TotalSeconds;
    var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
    var all = new Latencies();
    foreach (var result in results)
    {
        all.AddRange(result);
    }

    await app.StopAsync();
    return (all.Count / elapsed, all, cpuMicros / all.Count);
}

// The physical limit: one dot product per item against a state, then the 25 best; mean CPU µs per query (CPU time,
// not wall time, so a busy shared machine does not inflate it).
static double BruteForce(float[] itemOutput, int itemCount, int hidden, int iterations)
{
    var state = new float[hidden];
    for (var j = 0; j < hidden; j++)
    {
        state[j] = (j % 7) / 7f;
    }

    var logits = new float[itemCount];
    var bias = new float[itemCount];
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < iterations; i++)
    {
        ItemLogits.Compute(itemOutput, bias, state, logits);
        TopK.Largest(logits, 25);
    }

    return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / iterations;
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
