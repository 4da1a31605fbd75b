using Personalize.Data.Storage;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// A retried training reads the snapshot its stopped run wrote, not the store: the snapshot must carry everything the
/// run read, or the retry serves a different model (users whose events the eventType filter left out unknown to it).
/// </summary>
public sealed class TrainingSnapshotTests
{
    [Fact]
    public async Task ARetry_ServesTheFilteredOutEvents_AndCountsTheEventsWithoutItem_AsTheStoppedRunRead()
    {
        var root = Directory.CreateTempSubdirectory("trainer-snapshot-");
        var store = new FolderObjectStore(root.FullName);
        var checkpoints = StoreLayout.Checkpoints(new StoreLayout("bucket").DatasetGroup("test", "snapshot"), "solution", "v1");
        var read = new TrainingData
        {
            Interactions = [new Interaction("u1", "i1", 10, null), new Interaction("u1", "i2", 20, null)],
            ExcludedInteractions = [new Interaction("u2", "i3", 15, null), new Interaction("u1", "i3", 25, null)],
            EventsWithoutItem = 7,
        };

        await TrainingSnapshot.WriteAsync(store, checkpoints, read, CancellationToken.None);
        var retried = await TrainingSnapshot.ReadAsync(store, checkpoints, CancellationToken.None);

        Assert.NotNull(retried);
        Assert.Equal(read.Interactions, retried.Interactions);
        Assert.Equal(read.ExcludedInteractions, retried.ExcludedInteractions);
        Assert.Equal(7, retried.EventsWithoutItem);
        root.Delete(recursive: true);
    }
}
