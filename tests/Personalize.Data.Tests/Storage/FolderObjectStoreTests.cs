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

    public void Dispose() => _root.Delete(recursive: true);
}
