using System.Runtime.CompilerServices;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>What an answer served is kept under its recommendationId, without the answer waiting for the store.</summary>
[Collection(S3Collection.Name)]
public sealed class ServedListTests(S3Server s3)
{
    [Fact]
    public async Task Answers_DoNotWaitForTheirListsToBeStored_WhichFollowOnceTheStoreTakesThem()
    {
        var config = await TestCampaign.CreateAsync(s3);
        config.Realtime.ServedListFlushMilliseconds = 10;
        var store = new HeldServedLists(RuntimeServer.Store(s3));
        await using var runtime = await RuntimeServer.StartAsync(store, config);

        // The store takes no served list until released: answers come back all the same.
        var served = new Dictionary<string, List<string>>();
        foreach (var user in new[] { "u1", "u2", "u3" })
        {
            var reply = await runtime.PostAsync("/recommendations", new { campaignArn = RuntimeServer.CampaignArn, userId = user, numResults = 3 });
            reply.EnsureOk();
            served[reply.Json["recommendationId"]!.GetValue<string>()] = reply.Items("itemList");
        }

        await Wait.UntilAsync(() => store.Held, TimeSpan.FromSeconds(30), "a served-list write to reach the store");
        store.Release();

        var group = S3Uri.Parse(config.DatasetGroupUri);
        Dictionary<string, ServedList> stored = [];
        await Wait.UntilAsync(
            async ct => (stored = await ServedRecommendations.ReadAsync(store, group, served.Keys.ToHashSet(), ct)).Count == served.Count,
            TimeSpan.FromSeconds(30),
            "the three served lists to be stored");
        foreach (var (id, items) in served)
        {
            Assert.Equal(items, stored[id].Items);
        }

        Assert.Equal(["u1", "u2", "u3"], stored.Values.Select(l => l.UserId).Order());
    }

    /// <summary>The real store, holding writes of served lists until released (a slow store cannot be caused on demand).</summary>
    private sealed class HeldServedLists(IObjectStore inner) : IObjectStore
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _held;

        public bool Held => _held;

        public void Release() => _release.TrySetResult();

        public async Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken)
        {
            if (uri.Key.Contains($"/datasets/{ServedRecommendations.Log}/", StringComparison.Ordinal))
            {
                _held = true;
                await _release.Task.WaitAsync(cancellationToken);
            }

            await inner.WriteAsync(uri, content, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken) => inner.OpenReadAsync(uri, cancellationToken);

        public async IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var entry in inner.ListAsync(prefix, cancellationToken))
            {
                yield return entry;
            }
        }

        public Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken) => inner.StatAsync(uri, cancellationToken);

        public Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);
    }
}
