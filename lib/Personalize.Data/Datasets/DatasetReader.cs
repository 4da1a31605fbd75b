using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// Streams a dataset group's data as typed records: the committed bulk import (Parquet, per its manifest) followed
/// by the real-time records (JSON lines, oldest file first, compacted ones before the rest: <see cref="RealtimeObjects"/>). For Users and Items a real-time record replaces the
/// bulk record with the same id (PutUsers/PutItems update metadata); interactions are all kept.
/// Memory stays at one row group plus, for Users/Items, the real-time records (which are few next to bulk data), and
/// for Interactions the map of real-time sessions to the users they logged in as.
/// </summary>
public sealed class DatasetReader(IObjectStore store, S3Uri datasetGroup)
{
    private readonly RealtimeObjects _realtime = new(store, datasetGroup);

    public S3Uri DatasetGroup { get; } = datasetGroup;

    /// <summary>The dataset's stored schema (<see cref="StoredSchema"/>), or null when it has none yet.</summary>
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

    /// <summary>
    /// Real-time events the last <see cref="ReadInteractionsAsync"/> left out because they name no item (PutEvents
    /// accepts them and keeps them stored; no model can learn from them).
    /// </summary>
    public long EventsWithoutItem { get; private set; }

    public async IAsyncEnumerable<Interaction> ReadInteractionsAsync(bool includeRealtime = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EventsWithoutItem = 0;
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
            var sessionUsers = await ReadSessionUsersAsync(cancellationToken);
            await foreach (var fields in ReadRealtimeAsync(DatasetTypes.Interactions, cancellationToken))
            {
                if (!RecordMapper.HasItem(fields))
                {
                    EventsWithoutItem++;
                    continue;
                }

                yield return RecordMapper.InteractionFrom(fields, sessionUsers);
            }
        }
    }

    /// <summary>Each session's user: the first real-time event carrying both its sessionId and a userId.</summary>
    private async Task<Dictionary<string, string>> ReadSessionUsersAsync(CancellationToken cancellationToken)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var fields in ReadRealtimeAsync(DatasetTypes.Interactions, cancellationToken))
        {
            if (RecordMapper.SessionId(fields) is { } session && FieldValues.AsString(fields.GetValueOrDefault(FieldNames.UserId)) is { Length: > 0 } user)
            {
                users.TryAdd(session, user);
            }
        }

        return users;
    }

    public IAsyncEnumerable<UserRecord> ReadUsersAsync(CancellationToken cancellationToken = default) =>
        ReadWithUpdatesAsync(DatasetTypes.Users, RecordMapper.UserFrom, RecordMapper.Users, u => u.UserId, cancellationToken);

    public IAsyncEnumerable<ItemRecord> ReadItemsAsync(CancellationToken cancellationToken = default) =>
        ReadWithUpdatesAsync(DatasetTypes.Items, RecordMapper.ItemFrom, RecordMapper.Items, i => i.ItemId, cancellationToken);

    /// <summary>Bulk records not updated in real time, then the latest real-time record of each id.</summary>
    private async IAsyncEnumerable<T> ReadWithUpdatesAsync<T>(
        string datasetType,
        Func<IReadOnlyDictionary<string, object?>, DatasetSchema?, T> fromFields,
        Func<RowBatch, DatasetSchema?, Func<int, T>> fromRows,
        Func<T, string> idOf,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var schema = await ReadSchemaAsync(datasetType, cancellationToken);
        var updates = new Dictionary<string, T>(StringComparer.Ordinal);
        await foreach (var fields in ReadRealtimeAsync(datasetType, cancellationToken))
        {
            var record = fromFields(fields, schema);
            updates[idOf(record)] = record;
        }

        await foreach (var batch in ReadBulkAsync(datasetType, cancellationToken))
        {
            var map = fromRows(batch, schema);
            for (var row = 0; row < batch.Count; row++)
            {
                var record = map(row);
                if (!updates.ContainsKey(idOf(record)))
                {
                    yield return record;
                }
            }
        }

        foreach (var record in updates.Values)
        {
            yield return record;
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

    /// <summary>The real-time records, compacted ones first, as field values (each record once, whether compacted or not).</summary>
    private async IAsyncEnumerable<Dictionary<string, object?>> ReadRealtimeAsync(string datasetType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in _realtime.ReadAllAsync(datasetType, cancellationToken))
        {
            Dictionary<string, object?> fields;
            try
            {
                using var document = JsonDocument.Parse(record.Line);
                fields = FieldValues.FromJsonObject(document.RootElement);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"{record.Object} holds a record that is not a JSON object: {e.Message}", e);
            }

            yield return fields;
        }
    }
}
