using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// Streams a dataset group's data as typed records: the committed bulk import (Parquet, per its manifest) followed
/// by the real-time records (JSON lines, oldest file first). For Users and Items a real-time record replaces the
/// bulk record with the same id (PutUsers/PutItems update metadata); interactions are all kept.
/// Memory stays at one row group plus, for Users/Items, the real-time records (which are few next to bulk data).
/// </summary>
public sealed class DatasetReader(IObjectStore store, S3Uri datasetGroup)
{
    public S3Uri DatasetGroup { get; } = datasetGroup;

    /// <summary>The dataset's schema as its last import stored it, or null when nothing was imported.</summary>
    public async Task<DatasetSchema?> ReadSchemaAsync(string datasetType, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var stream = await store.OpenReadAsync(StoreLayout.DatasetSchema(DatasetGroup, datasetType), cancellationToken);
            using var text = new StreamReader(stream, Encoding.UTF8);
            return SchemaParser.Parse(await text.ReadToEndAsync(cancellationToken), datasetType);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>What the last committed import of the dataset holds, or null when there is none.</summary>
    public Task<BulkManifest?> ReadManifestAsync(string datasetType, CancellationToken cancellationToken = default) =>
        BulkManifest.ReadAsync(store, DatasetGroup, datasetType, cancellationToken);

    public async IAsyncEnumerable<Interaction> ReadInteractionsAsync(bool includeRealtime = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in ReadBulkAsync(DatasetTypes.Interactions, cancellationToken))
        {
            var map = RecordMapper.Interactions(batch);
            for (var row = 0; row < batch.Count; row++)
            {
                yield return map(row);
            }
        }

        if (includeRealtime)
        {
            await foreach (var fields in ReadRealtimeAsync(DatasetTypes.Interactions, cancellationToken))
            {
                yield return RecordMapper.InteractionFrom(fields);
            }
        }
    }

    public async IAsyncEnumerable<UserRecord> ReadUsersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var schema = await ReadSchemaAsync(DatasetTypes.Users, cancellationToken);
        var updates = new Dictionary<string, UserRecord>(StringComparer.Ordinal);
        await foreach (var fields in ReadRealtimeAsync(DatasetTypes.Users, cancellationToken))
        {
            var user = RecordMapper.UserFrom(fields, schema);
            updates[user.UserId] = user;
        }

        await foreach (var batch in ReadBulkAsync(DatasetTypes.Users, cancellationToken))
        {
            var map = RecordMapper.Users(batch, schema);
            for (var row = 0; row < batch.Count; row++)
            {
                var user = map(row);
                if (!updates.ContainsKey(user.UserId))
                {
                    yield return user;
                }
            }
        }

        foreach (var user in updates.Values)
        {
            yield return user;
        }
    }

    public async IAsyncEnumerable<ItemRecord> ReadItemsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var schema = await ReadSchemaAsync(DatasetTypes.Items, cancellationToken);
        var updates = new Dictionary<string, ItemRecord>(StringComparer.Ordinal);
        await foreach (var fields in ReadRealtimeAsync(DatasetTypes.Items, cancellationToken))
        {
            var item = RecordMapper.ItemFrom(fields, schema);
            updates[item.ItemId] = item;
        }

        await foreach (var batch in ReadBulkAsync(DatasetTypes.Items, cancellationToken))
        {
            var map = RecordMapper.Items(batch, schema);
            for (var row = 0; row < batch.Count; row++)
            {
                var item = map(row);
                if (!updates.ContainsKey(item.ItemId))
                {
                    yield return item;
                }
            }
        }

        foreach (var item in updates.Values)
        {
            yield return item;
        }
    }

    /// <summary>The committed bulk data's row groups (the same batch object, refilled).</summary>
    internal async IAsyncEnumerable<RowBatch> ReadBulkAsync(string datasetType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var manifest = await ReadManifestAsync(datasetType, cancellationToken);
        if (manifest is null)
        {
            yield break;
        }

        foreach (var file in manifest.Files)
        {
            await foreach (var batch in ParquetParts.ReadAsync(store, new S3Uri(DatasetGroup.Bucket, file.Key), cancellationToken))
            {
                yield return batch;
            }
        }
    }

    private async IAsyncEnumerable<Dictionary<string, object?>> ReadRealtimeAsync(string datasetType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(StoreLayout.RealtimeData(DatasetGroup, datasetType), cancellationToken))
        {
            if (!info.Uri.Key.EndsWith(RealtimeRecordWriter.Extension, StringComparison.Ordinal))
            {
                continue;
            }

            await using var stream = await store.OpenReadAsync(info.Uri, cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                Dictionary<string, object?> fields;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    fields = FieldValues.FromJsonObject(document.RootElement);
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                    throw new InvalidDataException($"{info.Uri} line {lineNumber} is not a JSON object: {e.Message}", e);
                }

                yield return fields;
            }
        }
    }
}
