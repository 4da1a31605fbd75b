using Personalize.Data.Generation;
using Personalize.Data.Import;
using Personalize.Data.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Personalize.Data.Tests.Import;

/// <summary>Runs alone (no other test allocating in the process) so the heap it samples is the import's own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory";
}

[Collection(MemoryCollection.Name)]
public sealed class BoundedMemoryImportTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-memory-");

    [Fact]
    public async Task Import_FiveTimesTheRows_NeedsNoMoreLiveHeap()
    {
        var small = await MeasureAsync(100_000);
        var large = await MeasureAsync(500_000);

        output.WriteLine($"100k rows ({small.FileBytes / 1e6:F1} MB): live heap +{small.Growth / 1e6:F1} MB; " +
                         $"500k rows ({large.FileBytes / 1e6:F1} MB): live heap +{large.Growth / 1e6:F1} MB");
        // Memory is one row group plus fixed state: five times the input may not cost more than a little noise.
        Assert.True(large.Growth < small.Growth + (8 << 20), $"live heap grew {large.Growth / 1e6:F1} MB for 500k rows vs {small.Growth / 1e6:F1} MB for 100k");
        Assert.True(large.Growth < large.FileBytes, $"live heap grew {large.Growth / 1e6:F1} MB importing a {large.FileBytes / 1e6:F1} MB file");
    }

    private async Task<(long Growth, long FileBytes)> MeasureAsync(int rows)
    {
        var store = new FolderObjectStore(_root.FullName);
        var prefix = new S3Uri("data", $"generated-{rows}/");
        var generator = new SyntheticDataGenerator(new GeneratorOptions { Users = 20_000, Items = 5_000, Interactions = rows });
        await GeneratedFiles.WriteToStoreAsync(generator, store, prefix);
        var csv = prefix.Append(GeneratedFiles.InteractionsCsv);
        var fileBytes = (await store.StatAsync(csv, CancellationToken.None))!.Size;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetGCMemoryInfo().HeapSizeBytes;

        long peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // The heap as the last collection left it: what the import keeps alive, not garbage awaiting collection.
                peak = Math.Max(peak, GC.GetGCMemoryInfo().HeapSizeBytes);
                await Task.Delay(5);
            }
        });
        var request = new DatasetImportRequest($"memory-{rows}", SyntheticDataGenerator.InteractionsSchema, csv, new S3Uri("data", $"ns/group-{rows}/"))
        {
            RowGroupSize = 16_384,
        };
        var report = await new DatasetImporter(store).ImportAsync(request);
        await stop.CancelAsync();
        await sampler;
        Assert.Equal(rows, report.RowsImported);
        return (peak - baseline, fileBytes);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
