using System.Diagnostics;
using System.Globalization;
using Personalize.Api;
using Personalize.Data.Generation;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;

// Usage: Personalize.Bench.Training --work <dir> [--shape generator|movielens-1m|movielens-100k --interactions N --users N --items N | --csv F --schema S]
//   [--epochs E --batch B --lr R --threads T --negatives N --warmup S --patience P --horizon K --dropout D --recipes a,b,...
//   --hyper name=value,... (the recipes' algorithm hyper-parameters, as a Solution's solutionConfig.algorithmHyperParameters)
//   --baselines ease,item-knn,oracle|none --ease-lambdas L,... --knn-k K,... | --update F]
// Generates and imports the data once into <dir> (reused by later runs with the same shape and sizes), or imports the
// interactions CSV F (its header USER_ID,ITEM_ID,TIMESTAMP, or the fields of the Avro schema in S), then trains each
// recipe through the same RecipeTrainer the train verb uses and prints one markdown row per recipe, then per tuned
// reference baseline, then (with ease) each recipe against tuned EASE user by user (--update F: UpdateComparison).
var options = args.Select((value, i) => (value, i)).Where(p => p.value.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.value[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : string.Empty);
long Number(string name, long fallback) => options.TryGetValue(name, out var text) ? long.Parse(text, CultureInfo.InvariantCulture) : fallback;
IReadOnlyList<string> List(string name, string fallback) =>
    (options.GetValueOrDefault(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

// movielens-1m, movielens-100k: those public datasets' shapes (users, items, ratings; each rating one interaction, so a
// user has an item once), generated rather than downloaded; the generator's long tail and tastes otherwise.
var shape = options.GetValueOrDefault("shape") ?? "generator";
(int Users, int Items, long Ratings)? movieLens = shape switch
{
    "generator" => null,
    "movielens-1m" => (6_040, 3_706, 1_000_209),
    "movielens-100k" => (943, 1_682, 100_000),
    _ => throw new ArgumentException($"unknown --shape {shape} (generator, movielens-1m, movielens-100k)"),
};
var interactions = Number("interactions", movieLens?.Ratings ?? 1_000_000);
var users = (int)Number("users", movieLens?.Users ?? (int)(interactions / 40));
var items = (int)Number("items", movieLens?.Items ?? (int)Math.Max(500, interactions / 100));
var epochs = (int)Number("epochs", HrnnSettings.DefaultEpochs);
var batchSize = (int)Number("batch", HrnnSettings.DefaultBatchSize);
var learningRate = options.TryGetValue("lr", out var lrText) ? double.Parse(lrText, CultureInfo.InvariantCulture) : HrnnSettings.DefaultLearningRate;
var threads = (int)Number("threads", new HrnnSettings().Threads);
var negatives = (int)Number("negatives", HrnnSettings.DefaultSampledNegatives);
var warmup = (int)Number("warmup", HrnnSettings.DefaultWarmupSteps);
var patience = (int)Number("patience", HrnnSettings.DefaultValidationPatience);
var horizon = (int)Number("horizon", HrnnSettings.DefaultTargetHorizon);
var dropout = options.TryGetValue("dropout", out var dropoutText) ? double.Parse(dropoutText, CultureInfo.InvariantCulture) : HrnnSettings.DefaultDropout;
var recipes = List("recipes", string.Join(',', Recipes.All.Select(r => r.Name)));
var hyperParameters = List("hyper", string.Empty).Select(p => p.Split('=', 2)).ToDictionary(
    p => p[0], p => p.Length == 2 ? p[1] : throw new ArgumentException($"--hyper: \"{p[0]}\" is not name=value"), StringComparer.Ordinal);
// Each recipe's hyper-parameters, checked as a Solution's are before any data is generated or imported, so a typo
// stops the run at once (--update trains aws-hrnn).
var resolved = (options.ContainsKey("update") ? [Recipes.Hrnn] : recipes).ToDictionary(name => name, name =>
{
    var recipe = Recipes.Find(name) ?? throw new ArgumentException($"unknown recipe {name}");
    return recipe.Validate(hyperParameters, null) is [_, ..] problems
        ? throw new ArgumentException($"--hyper for {name}: {string.Join("; ", problems)}")
        : recipe.Resolve(hyperParameters, null);
});
var csvPath = options.GetValueOrDefault("csv");
// The oracle is the generator's own process, so it has nothing to say about a user's CSV.
var baselines = List("baselines", csvPath is null ? "ease,item-knn,oracle" : "ease,item-knn").Where(b => b != "none").ToList();
var lambdas = List("ease-lambdas", "10,30,100,300,1000,3000").Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToList();
var neighbours = List("knn-k", "10,20,50,100,200,500").Select(k => int.Parse(k, CultureInfo.InvariantCulture)).ToList();
var work = options.GetValueOrDefault("work") ?? Path.Combine(Path.GetTempPath(), "personalize-bench-training");

var generator = csvPath is null
    ? new SyntheticDataGenerator(new GeneratorOptions { Users = users, Items = items, Interactions = interactions, Seed = 42, RepeatItems = movieLens is null })
    : null;
var store = new FolderObjectStore(work);
var group = generator is null
    ? await BenchData.CsvAsync(store, csvPath!, options.GetValueOrDefault("schema"))
    : await BenchData.GeneratedAsync(store, generator, $"{(movieLens is null ? string.Empty : shape + "-")}{interactions}-{users}-{items}");
var data = await TrainingDataLoader.LoadAsync(store, group, null, null, CancellationToken.None);
Console.Error.WriteLine($"{data.Interactions.Count} interactions from {group}, {Environment.ProcessorCount} cores, torch device {HrnnTrainer.PickDevice().type}");
if (options.TryGetValue("update", out var updateFraction))
{
    await UpdateComparison.RunAsync(store, data, new HrnnSettings { Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, Threads = threads, SampledNegatives = negatives, WarmupSteps = warmup, ValidationPatience = patience, TargetHorizon = horizon, Dropout = dropout }, resolved[Recipes.Hrnn], double.Parse(updateFraction, CultureInfo.InvariantCulture));
    return;
}

var benchUsers = BaselineRows.Users(data, new HrnnSettings().Seed);
var seenExcludedByUser = new Dictionary<string, IReadOnlyDictionary<string, double>>();
Console.WriteLine("| recipe | epochs | events/s per epoch | train s | peak MiB | coverage | MRR@25 | NDCG@5 | NDCG@10 | NDCG@25 | P@5 | P@10 | P@25 |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var name in recipes)
{
    var recipe = Recipes.Find(name)!;
    var rates = new List<double>();
    Task Record(JobProgress progress, CancellationToken _)
    {
        if (progress.EventsPerSecond is { } rate)
        {
            rates.Add(rate);
            Console.Error.WriteLine($"  {name} epoch {progress.Epoch}/{progress.TotalEpochs} loss {progress.Loss:F3} {rate:F0} events/s ({progress.Message})");
        }
        else if (progress.Message is { } message)
        {
            Console.Error.WriteLine($"  {message}");
        }

        return Task.CompletedTask;
    }

    var trainer = new RecipeTrainer(store, null, Record, new HrnnSettings { Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, Threads = threads, SampledNegatives = negatives, WarmupSteps = warmup, ValidationPatience = patience, TargetHorizon = horizon, Dropout = dropout });
    var clock = Stopwatch.StartNew();
    var model = await trainer.TrainAsync(recipe, resolved[name], data, validate: false, CancellationToken.None);
    var seconds = clock.Elapsed.TotalSeconds;
    var m = model.Metrics;
    string F(string key) => m[key].ToString("F4", CultureInfo.InvariantCulture);
    var rate = rates.Count == 0 ? "-" : rates.Average().ToString("F0", CultureInfo.InvariantCulture);
    Console.WriteLine(
        $"| {name} | {(rates.Count == 0 ? "-" : rates.Count.ToString(CultureInfo.InvariantCulture))} | {rate} | {seconds:F1} | {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} | " +
        $"{F("coverage")} | {F("mean_reciprocal_rank_at_25")} | {F("normalized_discounted_cumulative_gain_at_5")} | {F("normalized_discounted_cumulative_gain_at_10")} | " +
        $"{F("normalized_discounted_cumulative_gain_at_25")} | {F("precision_at_5")} | {F("precision_at_10")} | {F("precision_at_25")} |");
    if (model.Artifact.Manifest.MetadataGate is { } gate)
    {
        Console.Error.WriteLine($"  {name}: {gate.Reason}");
    }

    BaselineRows.WriteSeenExcluded(name, model.SeenExcludedMetrics);
    seenExcludedByUser[name] = model.SeenExcludedNdcg10ByUser;
}

var tuned = BaselineRows.Write(benchUsers, generator, baselines, lambdas, neighbours);
if (tuned.FirstOrDefault(b => b.Name == "ease" && b.ExcludesSeen) is { } ease && seenExcludedByUser.Count > 0)
{
    BaselineRows.WritePaired(seenExcludedByUser, ease);
}
