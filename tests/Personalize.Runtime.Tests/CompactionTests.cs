using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>Replicas compact the real-time log, and a replica starting from compacted parts applies what one starting from the objects did.</summary>
[Collection(S3Collection.Name)]
public sealed class CompactionTests(S3Server s3)
{
    private const string AppliedFromStore = "personalize_runtime_realtime_records_applied_total{origin=\"store\"} ";

    [Fact]
    public async Task AReplicaCompactsTheLog_AndReplicasStartingBeforeAndAfterApplyEachEventOnce()
    {
        var config = await TestCampaign.CreateAsync(s3);
        var store = RuntimeServer.Store(s3);
        var group = S3Uri.Parse(config.DatasetGroupUri);
        var history = new RealtimeRecordWriter(store, group, "old-replica", new ShiftedTime(TimeSpan.FromDays(-1)));
        for (var i = 0; i < 20; i++)
        {
            await history.AppendAsync("Interactions",
            [
                new Dictionary<string, object?> { ["USER_ID"] = $"old{i}", ["ITEM_ID"] = "i1", ["TIMESTAMP"] = TestModels.TrainedUntil + 1 },
                // Already trained on (older than the model's newest event): left out by every replica.
                new Dictionary<string, object?> { ["USER_ID"] = $"old{i}", ["ITEM_ID"] = "i2", ["TIMESTAMP"] = TestModels.TrainedUntil - 1 },
            ]);
        }

        await using var before = await RuntimeServer.StartAsync(s3, config);
        config.Realtime.CompactionIntervalSeconds = 1;
        config.Realtime.CompactionMinObjects = 1;
        await using var compacting = await RuntimeServer.StartAsync(s3, config);
        await Wait.UntilAsync(
            async ct => await RealtimeWatermark.ReadNewestAsync(store, group, "Interactions", ct) is { Objects: 20 }, TimeSpan.FromSeconds(60), "a replica to compact the log");
        await using var after = await RuntimeServer.StartAsync(s3, config);

        foreach (var replica in new[] { before, compacting, after })
        {
            Assert.Contains(AppliedFromStore + "20\n", await replica.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
            Assert.Equal("i5", (await replica.RecommendAsync("old7"))[0]);
        }

        (await before.PutEventAsync("u1", "i3")).EnsureOk();
        await Wait.UntilAsync(async _ => (await after.RecommendAsync("u1"))[0] == "i7", TimeSpan.FromSeconds(10), "the replica started from parts to see a peer's new event");
    }
}
