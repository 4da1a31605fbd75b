using Personalize.Api;

namespace Personalize.Trainer.Tests;

/// <summary>
/// Training while the garbage collector runs: a TorchSharp Scalar created implicitly for a native call (an Adam step's
/// beta, a fill value) is freed by its finalizer if a collection finds it unreachable during the call, and libtorch
/// then reads freed memory (a crash in c10 Scalar::toFloat, or a step with garbage). Collections are forced here so
/// that such a window is hit within a few trainings.
/// </summary>
[Collection(Name)]
public sealed class GarbageCollectionTests
{
    // Alone: the forced collections would hit any other test's own implicit Scalars (and TorchSharp's Adam) meanwhile.
    public const string Name = "forced garbage collections";

    [Fact]
    public async Task Training_Completes_WhileCollectionsRunAllTheTime()
    {
        var data = TasteData.Create();
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            for (var run = 0; run < 3; run++)
            {
                // Wide tables make each of Adam's native calls long enough for a collection to land in one.
                var hrnn = await Training.TrainAsync(Recipes.Hrnn, data, overrides: new() { ["hidden_dimension"] = "128", ["bptt"] = "16" });
                Assert.True(hrnn.Artifact.Manifest.Metrics["coverage"] > 0);
            }

            var similar = await Training.TrainAsync(Recipes.SimilarItems, data, overrides: new() { ["item_id_hidden_dim"] = "16", ["item_metadata_hidden_dim"] = "16" });
            Assert.True(similar.Artifact.Manifest.Metrics["coverage"] > 0);
        }
        finally
        {
            await stop.CancelAsync();
            await collector;
        }
    }
}

[CollectionDefinition(GarbageCollectionTests.Name, DisableParallelization = true)]
public sealed class ForcedGarbageCollections;
