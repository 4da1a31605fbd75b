using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// Tails the dataset group's real-time objects (docs/contracts.md, contract 2, written by Personalize.Data's RealtimeRecordWriter):
/// lists a type's prefix and reads single objects, so a replica reads only what is new to it. Names are
/// {yyyyMMddTHHmmssfff}-{writerId}-{seq}.jsonl, so the writer and its time are known from the name alone.
/// </summary>
public sealed class RealtimeFiles(IObjectStore store, S3Uri datasetGroup, string writerId)
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfff";

    /// <summary>This process's writer id: its own objects are applied when written, never read back.</summary>
    public string WriterId { get; } = writerId;

    /// <summary>The records as compaction left them: the current watermark's parts, then the objects after it.</summary>
    public RealtimeObjects Objects { get; } = new(store, datasetGroup);

    public bool IsOwn(S3Uri uri) => uri.Name.Contains($"-{WriterId}-", StringComparison.Ordinal);

    public S3Uri Prefix(string datasetType) => StoreLayout.RealtimeData(datasetGroup, datasetType);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string datasetType, CancellationToken cancellationToken) =>
        store.ListAsync(Prefix(datasetType), cancellationToken);

    /// <summary>
    /// Objects whose names' time falls in [from, until], one listing per minute prefix ({yyyyMMddTHHmm}): a poll costs
    /// what was written lately, however long the prefix's history (the Minio SDK cannot send start-after; a time
    /// prefix narrows the listing the same way, on S3 and the folder store alike).
    /// </summary>
    public async IAsyncEnumerable<ObjectInfo> ListWrittenAsync(
        string datasetType, DateTimeOffset from, DateTimeOffset until, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var minute = new DateTimeOffset(from.UtcDateTime.Ticks - (from.UtcDateTime.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        for (; minute <= until; minute = minute.AddMinutes(1))
        {
            var prefix = Prefix(datasetType).Append(minute.ToString("yyyyMMdd'T'HHmm", CultureInfo.InvariantCulture));
            await foreach (var entry in store.ListAsync(prefix, cancellationToken))
            {
                yield return entry;
            }
        }
    }

    /// <summary>The rows of one object; a malformed line is skipped rather than blocking every later record.</summary>
    public async Task<List<Dictionary<string, JsonElement>>> ReadAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        var rows = new List<Dictionary<string, JsonElement>>();
        await foreach (var line in Objects.ReadLinesAsync(uri, cancellationToken))
        {
            if (Parse(line) is { } row)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>One record's JSON line (fresh or compacted); null when malformed: another writer's bad line must not stop this replica from seeing the rest.</summary>
    public static Dictionary<string, JsonElement>? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>When the object was written, from its name; null for names this contract does not produce.</summary>
    public static DateTimeOffset? WrittenAt(S3Uri uri)
    {
        var name = uri.Name;
        const int length = 18;
        return name.Length >= length
            && DateTimeOffset.TryParseExact(name[..length], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
    }
}
