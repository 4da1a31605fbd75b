using System.Runtime.CompilerServices;
using System.Text;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// Reads a dataset's real-time records (docs/contracts.md, contract 2) as compaction left them: the parts the current
/// <see cref="RealtimeWatermark"/> names, then the objects after it. A compacted record is the JSON line its object
/// held, unchanged, so every reader parses it exactly as it parses a fresh one.
/// </summary>
public sealed class RealtimeObjects(IObjectStore store, S3Uri datasetGroup)
{
    /// <summary>Part columns: the real-time object a record came from, and the record's JSON line.</summary>
    internal const string ObjectColumn = "OBJECT";
    internal const string RecordColumn = "RECORD";

    public S3Uri DatasetGroup { get; } = datasetGroup;

    public Task<RealtimeWatermark?> ReadWatermarkAsync(string datasetType, CancellationToken cancellationToken) =>
        RealtimeWatermark.ReadNewestAsync(store, DatasetGroup, datasetType, cancellationToken);

    /// <summary>The compacted records, in the order of the objects they came from and of their lines.</summary>
    public async IAsyncEnumerable<RealtimeLine> ReadCompactedAsync(RealtimeWatermark watermark, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var part in watermark.Parts)
        {
            await foreach (var batch in ParquetParts.ReadAsync(store, new S3Uri(DatasetGroup.Bucket, part.Key), cancellationToken))
            {
                var objects = batch.Columns[batch.IndexOf(ObjectColumn)];
                var records = batch.Columns[batch.IndexOf(RecordColumn)];
                for (var row = 0; row < batch.Count; row++)
                {
                    yield return new RealtimeLine(new S3Uri(DatasetGroup.Bucket, (string)objects.Get(row)!), (string)records.Get(row)!);
                }
            }
        }
    }

    /// <summary>The real-time objects no compaction folded yet (all of them without a watermark), in key order.</summary>
    public async IAsyncEnumerable<ObjectInfo> ListFreshAsync(string datasetType, RealtimeWatermark? watermark, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(StoreLayout.RealtimeData(DatasetGroup, datasetType), cancellationToken))
        {
            if (info.Uri.Key.EndsWith(RealtimeRecordWriter.Extension, StringComparison.Ordinal) && watermark?.Covers(info.Uri) != true)
            {
                yield return info;
            }
        }
    }

    /// <summary>The non-empty lines of one real-time object.</summary>
    public async IAsyncEnumerable<string> ReadLinesAsync(S3Uri uri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(uri, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return line;
            }
        }
    }

    /// <summary>Every record, compacted then fresh, each once.</summary>
    public async IAsyncEnumerable<RealtimeLine> ReadAllAsync(string datasetType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watermark = await ReadWatermarkAsync(datasetType, cancellationToken);
        if (watermark is not null)
        {
            await foreach (var line in ReadCompactedAsync(watermark, cancellationToken))
            {
                yield return line;
            }
        }

        await foreach (var info in ListFreshAsync(datasetType, watermark, cancellationToken))
        {
            await foreach (var line in ReadLinesAsync(info.Uri, cancellationToken))
            {
                yield return new RealtimeLine(info.Uri, line);
            }
        }
    }
}

/// <summary>One real-time record: the object it was written in and its JSON line.</summary>
public sealed record RealtimeLine(S3Uri Object, string Line);
