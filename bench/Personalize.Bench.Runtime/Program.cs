using System.Diagnostics;
using System.Globalization;
using Personalize.Bench.Runtime;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;

if (args.FirstOrDefault() == LoadGenerator.Verb)
{
    return await LoadGenerator.RunAsync(args);
}

if (args.FirstOrDefault() == UserStateCost.Verb)
{
    return UserStateCost.Run(args);
}

if (args.FirstOrDefault() == RepeatShareCost.Verb)
{
    return await RepeatShareCost.RunAsync(args);
}

// personalize-bench-runtime [--items 100000,1000000] [--hidden 64] [--seconds 5] [--seconds-at-80 S] [--concurrency 16]
//   [--methods float32,int8,batch,cache,ann,all] [--loads 0.8 | --rates R] [--generator-cpus LIST] [--generator-nice N] [--no-http]
// --loads: the open-loop runs after the capacity run, as fractions of it, each --seconds-at-80 long (0.5,0.6,0.7,0.8
// shows where the tail crosses a bound). --rates: at these requests/s instead, to compare two settings at the same load
// when they change the capacity itself.
// personalize-bench-runtime user-state [--hidden 43,64,149] [--windows 32,200] [--blocks 1,3]: one user state's cost per window and per GRUs side by side.
// personalize-bench-runtime repeat-share [--items 1682,100000] [--hidden 43] [--histories 20,200]: a rating-data model's list against a plain one's.
// Pinned: `taskset --cpu-list 0 dotnet personalize-bench-runtime.dll ... --generator-cpus 1` serves on core 0 and loads from core 1.
var items = Option("--items", "100000,1000000").Split(',').Select(int.Parse).ToArray();
var hiddens = Option("--hidden", "64").Split(',').Select(int.Parse).ToArray();
var seconds = double.Parse(Option("--seconds", "5"), CultureInfo.InvariantCulture);
var secondsOpen = double.Parse(Option("--seconds-at-80", seconds.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var generator = new GeneratorPlacement(
    args.Contains("--generator-cpus") ? Option("--generator-cpus", string.Empty) : null,
    args.Contains("--generator-nice") ? int.Parse(Option("--generator-nice", "0"), CultureInfo.InvariantCulture) : null);
var concurrency = int.Parse(Option("--concurrency", "16"), CultureInfo.InvariantCulture);
var methods = Option("--methods", "float32,int8,batch,cache,ann,all").Split(',');
var http = !args.Contains("--no-http");
var rates = args.Contains("--rates");
if (rates && args.Contains("--loads"))
{
    throw new ArgumentException("--loads and --rates: give one; --loads are fractions of the measured capacity, --rates requests/s.");
}

var loadsOption = rates ? "--rates" : "--loads";
var loads = Option(loadsOption, "0.8").Split(',')
    .Select(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
        ? value
        : throw new ArgumentException($"{loadsOption}: {f} is not a positive number."))
    .ToArray();
var loadNames = loads.Select(f => rates ? FormattableString.Invariant($"{f:F0}/s") : FormattableString.Invariant($"{f * 100:F0}%")).ToArray();

Console.WriteLine($"# {Environment.ProcessorCount} cores for the server{(generator.Cpus is null ? string.Empty : $", the load generator on CPUs {generator.Cpus}")}{(generator.Nice is null ? string.Empty : $", the load generator at niceness {generator.Nice}")}, {RuntimeInformationText()}, {concurrency} closed-loop clients for {seconds} s, then {secondsOpen} s at each of {string.Join(", ", loadNames)}, load: {Uptime()}");
Console.WriteLine($"| items | hidden | method | memory MB | recall@25 | in-process CPU µs/query | in-process KiB/query | HTTP capacity req/s | HTTP req/s per core | p50/p99 ms at capacity | p50/p99 ms at {string.Join(", ", loadNames)} | mean batch | generator CPU µs/request |");
Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var itemCount in items)
{
    foreach (var hidden in hiddens)
    {
        await MeasureCatalogueAsync(itemCount, hidden);
    }
}

Console.WriteLine($"# load at the end: {Uptime()}");
return 0;

async Task MeasureCatalogueAsync(int itemCount, int hidden)
{
    var artifact = SyntheticModel.Hrnn(itemCount, hidden);
    // The ANN index as the trainer builds it: gated on other users than the 200 whose recall is reported below.
    var indexed = Stopwatch.StartNew();
    var indexCpu = Process.GetCurrentProcess().TotalProcessorTime;
    var gateScorer = new HrnnRecommender(artifact, Settings("float32"));
    artifact = AnnIndexBuilder.Attach(artifact, [.. Enumerable.Range(0, 200).Select(u => gateScorer.UserState($"user-{(u * (SyntheticModel.Users / 200)) + 1}"))]);
    var index = artifact.Manifest.AnnIndex!;
    Console.WriteLine($"# {itemCount:N0} x {hidden}: ANN index {(index.Shipped ? "shipped" : "not shipped")}, {index.Lists} lists, {index.Probes} read per query, gate recall@25 {index.RecallAt25:F3} on {index.HeldOutUsers} users; built and gated in {indexed.Elapsed.TotalSeconds:F0} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - indexCpu).TotalSeconds:F0} s CPU{(index.Reason is null ? string.Empty : $" ({index.Reason})")}");
    gateScorer = null;
    var root = Directory.CreateTempSubdirectory("personalize-bench-");
    try
    {
        var store = new FolderObjectStore(root.FullName);
        var group = new StoreLayout("bench").DatasetGroup("bench", "catalogue");
        var model = StoreLayout.Model(group, "solution", "v1");
        await artifact.SaveAsync(store, model, CancellationToken.None);

        // The reference: float32 exact scoring, one query per pass, GRU rerun per request.
        var users = Enumerable.Range(0, 200).Select(u => $"user-{u * (SyntheticModel.Users / 200)}").ToList();
        var exact = new HrnnRecommender(artifact, Settings("float32"), ScoringMethods.Exact);
        var truth = new List<List<string>>(users.Count);
        foreach (var user in users)
        {
            truth.Add(await Top25Async(exact, user));
        }

        exact = null;

        foreach (var method in methods)
        {
            var settings = Settings(method);
            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var recommender = new HrnnRecommender(artifact, settings, ScoringMethod(method));
            var found = 0;
            for (var i = 0; i < users.Count; i++)
            {
                found += (await Top25Async(recommender, users[i])).Intersect(truth[i]).Count();
            }

            var recall = found / (25.0 * users.Count);
            var (cpuPerQuery, bytesPerQuery) = await InProcessCostAsync(recommender, Math.Clamp(200_000_000 / (itemCount * hidden), 20, 1000));
            var memoryMb = (GC.GetTotalMemory(forceFullCollection: true) - before) / (1024.0 * 1024.0);
            recommender = null;
            GC.Collect();
            var row = $"| {itemCount:N0} | {hidden} | {method} | {memoryMb:F0} | {recall:F3} | {cpuPerQuery:F0} | {bytesPerQuery / 1024:F1} |";
            if (!http)
            {
                Console.WriteLine(row + " - | - | - | - | - | - |");
                continue;
            }

            var load = new HttpLoad(store, group, model, settings, ScoringMethod(method), generator);
            await using (load.ConfigureAwait(false))
            {
                await load.StartAsync();
                await load.ClosedLoopAsync(concurrency, TimeSpan.FromSeconds(Math.Min(2, seconds / 2)));
                var (passesBefore, queriesBefore) = load.BatchCounts();
                var capacity = await load.ClosedLoopAsync(concurrency, TimeSpan.FromSeconds(seconds));
                var (passesAfter, queriesAfter) = load.BatchCounts();
                var (passes, queries) = (passesAfter - passesBefore, queriesAfter - queriesBefore);
                var atLoads = new List<string>();
                foreach (var (value, name) in loads.Zip(loadNames))
                {
                    var (open, tail) = await load.OpenLoopAsync(rates ? value : value * capacity.Result.RequestsPerSecond, TimeSpan.FromSeconds(secondsOpen));
                    Console.WriteLine($"#   {method} at {name}: {open.Result.Requests} requests, {open.AllocatedBytesPerRequest / 1024.0:F1} KiB allocated per request, {open.Collections} collections, {open.GcPauses.TotalMilliseconds:F0} ms paused in GC, load {Uptime()}");
                    foreach (var line in tail.Lines())
                    {
                        Console.WriteLine($"#   {method} at {name}, {line}");
                    }

                    atLoads.Add($"{open.Result.P50Micros / 1000:F1} / {open.Result.P99Micros / 1000:F1}");
                }

                var batch = passes > 0 ? $"{(double)queries / passes:F1}" : "-";
                Console.WriteLine(row + $" {capacity.Result.RequestsPerSecond:F0} | {1e6 / capacity.ServerCpuMicrosPerRequest:F0} | {capacity.Result.P50Micros / 1000:F1} / {capacity.Result.P99Micros / 1000:F1} | {string.Join("; ", atLoads)} | {batch} | {capacity.Result.GeneratorCpuMicros / capacity.Result.Requests:F0} |");
            }
        }
    }
    finally
    {
        root.Delete(recursive: true);
    }
}

// Each method alone against the float32 reference, and all together.
static ScoringSettings Settings(string method) => method switch
{
    "float32" => new ScoringSettings { Quantize = false, Batch = false, UserStateCacheSize = 0 },
    "int8" => new ScoringSettings { Quantize = true, Batch = false, UserStateCacheSize = 0 },
    "batch" => new ScoringSettings { Quantize = false, Batch = true, UserStateCacheSize = 0 },
    "cache" => new ScoringSettings { Quantize = false, Batch = false, UserStateCacheSize = 100_000 },
    "ann" => new ScoringSettings { Quantize = false, Batch = false, UserStateCacheSize = 0 },
    "all" => new ScoringSettings { Quantize = true, Batch = true, UserStateCacheSize = 100_000 },
    _ => throw new ArgumentException($"--methods: unknown method {method} (float32, int8, batch, cache, ann, all)."),
};

// ann: the index alone (exact when it was not shipped); all: what a campaign gets by default (auto: the index from 50,000 items).
static string ScoringMethod(string method) => method switch
{
    "ann" => ScoringMethods.Ann,
    "all" => ScoringMethods.Auto,
    _ => ScoringMethods.Exact,
};

static async Task<List<string>> Top25Async(IRecommender recommender, string user) =>
    (await recommender.RecommendAsync(new RecommendationRequest { UserId = user, NumResults = 25 })).Select(i => i.ItemId).ToList();

// Mean CPU µs and managed bytes allocated of one GetRecommendations in process, one caller (no batching possible), users in turn.
// One caller finds no pass running, so every query completes synchronously, on this thread.
static async Task<(double CpuMicros, double Bytes)> InProcessCostAsync(IRecommender recommender, int iterations)
{
    var random = new Random(1);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < iterations; i++)
    {
        await recommender.RecommendAsync(new RecommendationRequest { UserId = $"user-{random.Next(SyntheticModel.Users)}", NumResults = 25 });
    }

    return ((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / iterations, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations);
}

static string Uptime() => File.Exists("/proc/loadavg") ? "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
