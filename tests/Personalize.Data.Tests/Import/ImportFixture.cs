using System.Text;
using Personalize.Data.Datasets;
using Personalize.Data.Import;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Testing;

namespace Personalize.Data.Tests.Import;

/// <summary>A Minio object store on the shared s3rver with a fresh bucket, and helpers to put CSVs and import them.</summary>
public sealed class ImportFixture : IAsyncDisposable
{
    private ImportFixture(MinioObjectStore store, string bucket)
    {
        Store = store;
        Bucket = bucket;
        Group = new S3Uri(bucket, "ns/group/");
    }

    public MinioObjectStore Store { get; }

    public string Bucket { get; }

    public S3Uri Group { get; }

    public DatasetReader Reader => new(Store, Group);

    public static async Task<ImportFixture> CreateAsync(S3Server s3)
    {
        var bucket = await s3.CreateBucketAsync();
        return new ImportFixture(new MinioObjectStore(s3.CreateClient()), bucket);
    }

    public async Task<S3Uri> PutAsync(string key, string text)
    {
        var uri = new S3Uri(Bucket, key);
        await Store.WriteAsync(uri, new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);
        return uri;
    }

    public Task<ImportReport> ImportAsync(string job, DatasetSchema schema, S3Uri location, ImportMode mode = ImportMode.Full, double maxRejected = 0.1) =>
        new DatasetImporter(Store).ImportAsync(new DatasetImportRequest(job, schema, location, Group, mode, maxRejected));

    public async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    public ValueTask DisposeAsync()
    {
        Store.Dispose();
        return ValueTask.CompletedTask;
    }
}
