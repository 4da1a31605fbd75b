using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>Local mode's object store (a folder, PERSONALIZE_STORE_ROOT) under the same real-time contract as S3.</summary>
public sealed class FolderStoreTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-runtime-folder-");

    [Fact]
    public async Task EventsAreDurableAndSharedBetweenReplicasOnAFolderStore()
    {
        var store = new FolderObjectStore(_root.FullName);
        var group = new StoreLayout("local").DatasetGroup("test", "movies");
        var config = RuntimeServer.ConfigFor(group, await TestModels.SaveAsync(store, group, TestModels.Hrnn()));
        await using var a = await RuntimeServer.StartAsync(store, config);
        await using var b = await RuntimeServer.StartAsync(store, config);
        (await a.PutEventAsync("u2", "i1")).EnsureOk();
        Assert.Equal("i5", (await a.RecommendAsync("u2"))[0]);
        await Wait.UntilAsync(async _ => (await b.RecommendAsync("u2"))[0] == "i5", TimeSpan.FromSeconds(5), "replica b to see a's event");
    }

    public void Dispose() => _root.Delete(recursive: true);
}
