using System.Globalization;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>Each runtime publishes the capacity it measured on its own model, so the operator can size replicas by it.</summary>
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

    private static async Task<double> CapacityAsync(IObjectStore store, RuntimeConfig config)
    {
        await using var runtime = await RuntimeServer.StartAsync(store, config);
        var metrics = await runtime.Client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("personalize_runtime_capacity_tps ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static ModelArtifact Random(int items, int hidden)
    {
        var random = new Random(3);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * 0.1f)];
        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.ItemInput] = SafeTensor.FromFloats(Values(items * hidden), items, hidden),
            [TensorNames.GruWeightIh] = SafeTensor.FromFloats(Values(3 * hidden * hidden), 3 * hidden, hidden),
            [TensorNames.GruWeightHh] = SafeTensor.FromFloats(Values(3 * hidden * hidden), 3 * hidden, hidden),
            [TensorNames.GruBiasIh] = SafeTensor.FromFloats(Values(3 * hidden), 3 * hidden),
            [TensorNames.GruBiasHh] = SafeTensor.FromFloats(Values(3 * hidden), 3 * hidden),
            [TensorNames.ItemOutput] = SafeTensor.FromFloats(Values(items * hidden), items, hidden),
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
