using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

public sealed class EventsWithoutItemTests
{
    [Fact]
    public async Task RealtimeEventsWithoutAnItem_AreCounted_NotTrainedOn_AndDoNotFailTheRead()
    {
        var root = Directory.CreateTempSubdirectory("trainer-itemless-").FullName;
        try
        {
            var store = new FolderObjectStore(root);
            var group = new StoreLayout("bucket").DatasetGroup("test", "itemless");
            var writer = new RealtimeRecordWriter(store, group, "runtime-1");
            await writer.AppendAsync(DatasetTypes.Interactions,
            [
                new Dictionary<string, object?> { ["USER_ID"] = "u1", ["ITEM_ID"] = "i1", ["TIMESTAMP"] = 1_700_000_000L, ["EVENT_TYPE"] = "click" },
                new Dictionary<string, object?> { ["USER_ID"] = "u1", ["TIMESTAMP"] = 1_700_000_010L, ["EVENT_TYPE"] = "page-view" },
                new Dictionary<string, object?> { ["USER_ID"] = "u2", ["TIMESTAMP"] = 1_700_000_020L, ["EVENT_TYPE"] = "page-view" },
            ]);

            var data = await TrainingDataLoader.LoadAsync(store, group, null, null, CancellationToken.None);

            Assert.Equal([("u1", "i1")], data.Interactions.Select(i => (i.UserId, i.ItemId)));
            Assert.Equal(2, data.EventsWithoutItem);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
