using Personalize.Data.Storage;
using Xunit;

namespace Personalize.Data.Tests.Storage;

public sealed class FolderObjectStoreTests : ObjectStoreContract, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-folder-store-");

    public FolderObjectStoreTests()
    {
        Store = new FolderObjectStore(_root.FullName);
    }

    protected override IObjectStore Store { get; }

    protected override string Bucket => "local-bucket";

    [Fact]
    public async Task Write_MapsUriToFileUnderRoot()
    {
        await Store.WriteAsync(S3Uri.Parse("s3://local-bucket/x/y.txt"), new MemoryStream("hi"u8.ToArray()), CancellationToken.None);

        Assert.Equal("hi", await File.ReadAllTextAsync(Path.Combine(_root.FullName, "local-bucket", "x", "y.txt")));
    }

    [Fact]
    public async Task Write_KeyEscapingRoot_IsRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(
            () => Store.WriteAsync(new S3Uri("local-bucket", "../../etc/x"), new MemoryStream(), CancellationToken.None));
    }

    [Theory]
    [InlineData("../other-bucket/secret.txt")]
    [InlineData("x/../../other-bucket/secret.txt")]
    public async Task EveryOperation_KeyLeavingItsBucket_IsRejected_AndTheOtherBucketIsUntouched(string key)
    {
        var secret = Path.Combine(_root.FullName, "other-bucket", "secret.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        await File.WriteAllTextAsync(secret, "theirs");
        var escaping = new S3Uri("local-bucket", key);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(escaping, new MemoryStream("mine"u8.ToArray()), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(escaping, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.StatAsync(escaping, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(escaping, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in Store.ListAsync(new S3Uri("local-bucket", "../other-bucket/"), CancellationToken.None))
            {
            }
        });

        Assert.Equal("theirs", await File.ReadAllTextAsync(secret));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    public async Task ABucketNameThatIsNotAFolderName_IsRejected(string bucket)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.StatAsync(new S3Uri(bucket, "etc/passwd"), CancellationToken.None));
    }

    public void Dispose() => _root.Delete(recursive: true);
}
