using System.Globalization;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>Runs alone: the capacity is the process's CPU time per query, which any other test in the process adds to.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCpuCollection
{
    public const string Name = "process-cpu";
}

/// <summary>Each runtime publishes the capacity it measured on its own model, so the operator can size replicas by it.</summary>
[Collection(ProcessCpuCollection.Name)]
public sealed class ServingCapacityTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-runtime-capacity-");

    [Fact]
    public async Task ALargeCatalogue_PublishesLessCapacity_ThanASmallOne()
    {
        var store = new FolderObjectStore(_root.FullName);
        var group = new StoreLayout("local").DatasetGroup("test", "movies");
        var small = await CapacityAsync(store, RuntimeServer.ConfigFor(group, await TestModels.SaveAsync(store, group, TestModels.Hrnn(), "small")));
        // 100k items x 64 scored in float32: milliseconds per query where the small model takes microseconds.
        var largeConfig = RuntimeServer.ConfigFor(group, await TestModels.SaveAsync(store, group, Random(100_000, 64), "large"));
        largeConfig.Scoring = new ScoringSettings { Quantize = false };
        var large = await CapacityAsync(store, largeConfig);

        Assert.True(large > 0, $"large: {large}");
        Assert.True(small > 2 * large, $"small {small:F0} req/s vs large {large:F0} req/s");
    }

    [Fact]
    public async Task AnAnnIndex_ServesAutomaticallyAtScale_WithItsCapacity_AndTheExactOverrideWins()
    {
        var store = new FolderObjectStore(_root.FullName);
        var group = new StoreLayout("local").DatasetGroup("test", "movies");
        var artifact = Random(100_000, 64, clustered: true);
        var random = new Random(8);
        var states = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 64).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).ToList();
        artifact = AnnIndexBuilder.Attach(artifact, states);
        Assert.True(artifact.Manifest.AnnIndex!.Shipped, artifact.Manifest.AnnIndex.Reason);
        var model = await TestModels.SaveAsync(store, group, artifact, "indexed");

        var autoConfig = RuntimeServer.ConfigFor(group, model);
        autoConfig.Scoring = new ScoringSettings { Quantize = false };
        var exactConfig = RuntimeServer.ConfigFor(group, model);
        exactConfig.Scoring = new ScoringSettings { Quantize = false };
        exactConfig.CampaignConfig.ScoringMethod = ScoringMethods.Exact;
        var (ann, annMethod) = await CapacityAndMethodAsync(store, autoConfig);
        var (exact, exactMethod) = await CapacityAndMethodAsync(store, exactConfig);

        Assert.Contains("method=\"ann\"", annMethod);
        Assert.Contains("method=\"exact\",reason=\"campaignConfig.scoringMethod is exact\"", exactMethod);
        // The capacity is measured on the method that serves: reading a few lists costs far less than every item.
        Assert.True(ann > 2 * exact, $"ann {ann:F0} req/s vs exact {exact:F0} req/s");
    }

    private static async Task<double> CapacityAsync(IObjectStore store, RuntimeConfig config) => (await CapacityAndMethodAsync(store, config)).Capacity;

    private static async Task<(double Capacity, string Scoring)> CapacityAndMethodAsync(IObjectStore store, RuntimeConfig config)
    {
        await using var runtime = await RuntimeServer.StartAsync(store, config);
        var metrics = await runtime.Client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("personalize_runtime_capacity_tps ", StringComparison.Ordinal));
        var scoring = metrics.Split('\n').Single(l => l.StartsWith("personalize_runtime_scoring_info{", StringComparison.Ordinal));
        return (double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture), scoring);
    }

    /// <summary>Random item vectors; clustered: around 100 random directions, as trained item vectors cluster.</summary>
    private static ModelArtifact Random(int items, int hidden, bool clustered = false)
    {
        var random = new Random(3);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * 0.1f)];
        var topics = clustered ? Values(100 * hidden) : [];
        float[] Output() => clustered
            ? [.. Enumerable.Range(0, items).SelectMany(_ => { var topic = random.Next(100); return Values(hidden).Select((noise, k) => topics[(topic * hidden) + k] + (0.3f * noise)); })]
            : Values(items * hidden);
        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.ItemInput] = SafeTensor.FromFloats(Values(items * hidden), items, hidden),
            [TensorNames.GruWeightIh] = SafeTensor.FromFloats(Values(3 * hidden * hidden), 3 * hidden, hidden),
            [TensorNames.GruWeightHh] = SafeTensor.FromFloats(Values(3 * hidden * hidden), 3 * hidden, hidden),
            [TensorNames.GruBiasIh] = SafeTensor.FromFloats(Values(3 * hidden), 3 * hidden),
            [TensorNames.GruBiasHh] = SafeTensor.FromFloats(Values(3 * hidden), 3 * hidden),
            [TensorNames.ItemOutput] = SafeTensor.FromFloats(Output(), items, hidden),
            [TensorNames.ItemOutputBias] = SafeTensor.FromFloats(Values(items), items),
            [TensorNames.ItemPopularity] = SafeTensor.FromFloats([.. Enumerable.Range(0, items).Select(i => (float)(items - i))], items),
            [TensorNames.UserHistoryOffsets] = SafeTensor.FromInts([0, 2], 2),
            [TensorNames.UserHistoryItems] = SafeTensor.FromInts([0, 1], 2),
        };
        var manifest = new ModelManifest { Recipe = "aws-hrnn", RecipeType = "USER_PERSONALIZATION", Scorer = ScorerKinds.Hrnn, HyperParameters = new() { ["bptt"] = "32" } };
        return new ModelArtifact(manifest, new ModelVocabulary { Items = [.. Enumerable.Range(0, items).Select(i => $"i{i}")], Users = ["u1"] }, tensors);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
