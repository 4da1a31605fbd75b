using System.Text;
using Personalize.Data.Storage;
using Xunit;

namespace Personalize.Data.Tests.Storage;

/// <summary>What every object store must do; each store's test class runs it against a real backend.</summary>
public abstract class ObjectStoreContract
{
    protected abstract IObjectStore Store { get; }

    protected abstract string Bucket { get; }

    [Fact]
    public async Task WriteThenRead_RoundTripsBytes()
    {
        var uri = new S3Uri(Bucket, "a/b/object.bin");
        var payload = RandomBytes(300_000, 1);
        await Store.WriteAsync(uri, new MemoryStream(payload), CancellationToken.None);

        Assert.Equal(payload, await ReadAllAsync(uri));
        var stat = await Store.StatAsync(uri, CancellationToken.None);
        Assert.Equal(payload.Length, stat?.Size);
    }

    [Fact]
    public async Task Write_FromUnseekableStreamOfUnknownLength_Works()
    {
        var uri = new S3Uri(Bucket, "unknown-length.bin");
        var payload = RandomBytes(7_000_000, 2);
        await Store.WriteAsync(uri, new ForwardOnlyStream(payload), CancellationToken.None);

        Assert.Equal(payload, await ReadAllAsync(uri));
    }

    [Fact]
    public async Task Write_ReplacesExistingObject()
    {
        var uri = new S3Uri(Bucket, "replace.txt");
        await Store.WriteAsync(uri, new MemoryStream("old"u8.ToArray()), CancellationToken.None);
        await Store.WriteAsync(uri, new MemoryStream("new!"u8.ToArray()), CancellationToken.None);

        Assert.Equal("new!", Encoding.UTF8.GetString(await ReadAllAsync(uri)));
    }

    [Fact]
    public async Task OpenRead_MissingObject_ThrowsObjectNotFound()
    {
        var uri = new S3Uri(Bucket, "nothing/here.csv");
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(uri, CancellationToken.None));
        Assert.Equal(uri, error.Uri);
        Assert.Null(await Store.StatAsync(uri, CancellationToken.None));
    }

    [Fact]
    public async Task OpenRead_MissingBucket_ThrowsObjectNotFound()
    {
        var uri = new S3Uri("no-such-bucket-here", "x.csv");
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(uri, CancellationToken.None));
    }

    [Fact]
    public async Task List_ReturnsObjectsUnderPrefixRecursivelyInKeyOrder()
    {
        foreach (var key in new[] { "list/b.csv", "list/a.csv", "list/sub/c.csv", "listing-not-under.csv", "other/d.csv" })
        {
            await Store.WriteAsync(new S3Uri(Bucket, key), new MemoryStream("x"u8.ToArray()), CancellationToken.None);
        }

        var keys = new List<string>();
        await foreach (var info in Store.ListAsync(new S3Uri(Bucket, "list/"), CancellationToken.None))
        {
            keys.Add(info.Uri.Key);
        }

        Assert.Equal(["list/a.csv", "list/b.csv", "list/sub/c.csv"], keys);
    }

    [Fact]
    public async Task List_AbsentPrefix_IsEmpty()
    {
        await foreach (var info in Store.ListAsync(new S3Uri(Bucket, "absent/prefix/"), CancellationToken.None))
        {
            Assert.Fail($"unexpected {info.Uri}");
        }
    }

    [Fact]
    public async Task Delete_RemovesObject_AndIgnoresAbsentOnes()
    {
        var uri = new S3Uri(Bucket, "delete/me.txt");
        await Store.WriteAsync(uri, new MemoryStream("x"u8.ToArray()), CancellationToken.None);
        await Store.DeleteAsync(uri, CancellationToken.None);
        await Store.DeleteAsync(uri, CancellationToken.None);

        Assert.Null(await Store.StatAsync(uri, CancellationToken.None));
    }

    [Fact]
    public async Task OpenRead_DisposedEarly_DoesNotHang()
    {
        var uri = new S3Uri(Bucket, "big-early-stop.bin");
        await Store.WriteAsync(uri, new MemoryStream(RandomBytes(20_000_000, 3)), CancellationToken.None);

        await using (var stream = await Store.OpenReadAsync(uri, CancellationToken.None))
        {
            var buffer = new byte[1000];
            await stream.ReadExactlyAsync(buffer, CancellationToken.None);
        }
    }

    private async Task<byte[]> ReadAllAsync(S3Uri uri)
    {
        await using var stream = await Store.OpenReadAsync(uri, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A stream that cannot seek or report its length, like a network body or a generator.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : ReadOnlyStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
    }
}
