using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Storage;

[Collection(S3Collection.Name)]
public sealed class MinioObjectStoreTests : ObjectStoreContract, IAsyncLifetime
{
    private readonly S3Server _s3;
    private string? _bucket;

    public MinioObjectStoreTests(S3Server s3)
    {
        _s3 = s3;
        Store = ObjectStoreFactory.FromVariables(name => name switch
        {
            ObjectStoreFactory.EndpointVariable => s3.Endpoint,
            ObjectStoreFactory.AccessKeyVariable => s3.AccessKey,
            ObjectStoreFactory.SecretKeyVariable => s3.SecretKey,
            ObjectStoreFactory.RegionVariable => s3.Region,
            _ => null,
        });
    }

    protected override IObjectStore Store { get; }

    protected override string Bucket => _bucket ?? throw new InvalidOperationException("not initialised");

    public async Task InitializeAsync() => _bucket = await _s3.CreateBucketAsync();

    public Task DisposeAsync()
    {
        ((IDisposable)Store).Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task List_PagesPastAThousandKeys()
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, 1001), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await Store.WriteAsync(new S3Uri(Bucket, $"many/{i:D4}"), new MemoryStream([1]), ct));

        var keys = new List<string>();
        await foreach (var info in Store.ListAsync(new S3Uri(Bucket, "many/"), CancellationToken.None))
        {
            keys.Add(info.Uri.Key);
        }

        Assert.Equal(Enumerable.Range(0, 1001).Select(i => $"many/{i:D4}"), keys);
    }

    [Fact]
    public async Task Write_ToAbsentBucket_CreatesIt()
    {
        var uri = new S3Uri($"fresh-{Guid.NewGuid():N}"[..18], "first/object.txt");
        await Store.WriteAsync(uri, new MemoryStream("x"u8.ToArray()), CancellationToken.None);

        Assert.NotNull(await Store.StatAsync(uri, CancellationToken.None));
    }

    [Fact]
    public void FromVariables_StoreRoot_WinsOverEndpoint()
    {
        var store = ObjectStoreFactory.FromVariables(name => name switch
        {
            ObjectStoreFactory.StoreRootVariable => "/tmp/somewhere",
            ObjectStoreFactory.EndpointVariable => _s3.Endpoint,
            _ => null,
        });

        Assert.IsType<FolderObjectStore>(store);
    }

    [Theory]
    [InlineData(null, null, null, "PERSONALIZE_STORE_ROOT")]
    [InlineData("ftp://x", "a", "b", "not an http")]
    [InlineData("http://127.0.0.1:9000", null, "b", "AWS_ACCESS_KEY_ID")]
    public void FromVariables_Incomplete_SaysWhatIsMissing(string? endpoint, string? key, string? secret, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ObjectStoreFactory.FromVariables(name => name switch
        {
            ObjectStoreFactory.EndpointVariable => endpoint,
            ObjectStoreFactory.AccessKeyVariable => key,
            ObjectStoreFactory.SecretKeyVariable => secret,
            _ => null,
        }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
