using System.Text;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// A dataset's datasets/{type}/schema.json, what the runtime checks PutUsers/PutItems properties against and the
/// trainer reads metadata columns by. The operator writes it when the dataset becomes ACTIVE, so records can be
/// streamed in before any import; each import writes the schema its bulk data was read with.
/// </summary>
public static class StoredSchema
{
    public static S3Uri Location(S3Uri datasetGroup, string datasetType) => StoreLayout.DatasetSchema(datasetGroup, datasetType);

    public static Task WriteAsync(IObjectStore store, S3Uri datasetGroup, DatasetSchema schema, CancellationToken cancellationToken) =>
        store.WriteAsync(Location(datasetGroup, schema.DatasetType), new MemoryStream(Encoding.UTF8.GetBytes(schema.ToJson())), cancellationToken);

    /// <summary>
    /// Stores the dataset's schema unless the stored one is already identical (a read, not a write, on every
    /// reconcile) or an import has committed bulk data (that import's schema describes the data until the next
    /// import). Returns whether it wrote.
    /// </summary>
    public static async Task<bool> EnsureAsync(IObjectStore store, S3Uri datasetGroup, DatasetSchema schema, CancellationToken cancellationToken)
    {
        if (await ReadTextAsync(store, Location(datasetGroup, schema.DatasetType), cancellationToken) == schema.ToJson()
            || await store.StatAsync(BulkManifest.Location(datasetGroup, schema.DatasetType), cancellationToken) is not null)
        {
            return false;
        }

        await WriteAsync(store, datasetGroup, schema, cancellationToken);
        return true;
    }

    private static async Task<string?> ReadTextAsync(IObjectStore store, S3Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await store.OpenReadAsync(uri, cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }
}
