using System.Globalization;
using System.Text;
using System.Text.Json;
using Personalize.Data.Storage;

namespace Personalize.Runtime.Realtime;

/// <summary>
/// The dataset group's real-time records in the object store (contract 2): JSON-lines objects under
/// StoreLayout.RealtimeData(group, type), named {yyyyMMddTHHmmssfff}-{writerId}-{seq}.jsonl so names sort by time.
/// Each object is written whole in one PUT, so a reader sees all of a batch or none of it.
/// </summary>
public sealed class RealtimeFiles(IObjectStore store, S3Uri datasetGroup, string writerId)
{
    public const string Extension = ".jsonl";
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfff";
    private long _sequence;

    public S3Uri Prefix(string datasetType) => StoreLayout.RealtimeData(datasetGroup, datasetType);

    /// <summary>A new object name for a batch of this dataset type (never reused, even when its write fails).</summary>
    public S3Uri NextUri(string datasetType)
    {
        var name = $"{DateTimeOffset.UtcNow.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{writerId}-{Interlocked.Increment(ref _sequence):D6}{Extension}";
        return Prefix(datasetType).Append(name);
    }

    /// <summary>Writes one batch as the object <paramref name="uri"/> (from <see cref="NextUri"/>).</summary>
    public async Task WriteAsync(S3Uri uri, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream();
        foreach (var row in rows)
        {
            JsonSerializer.Serialize(content, row);
            content.WriteByte((byte)'\n');
        }

        content.Position = 0;
        await store.WriteAsync(uri, content, cancellationToken);
    }

    public IAsyncEnumerable<ObjectInfo> ListAsync(string datasetType, CancellationToken cancellationToken) =>
        store.ListAsync(Prefix(datasetType), cancellationToken);

    /// <summary>The rows of one object; a malformed line is skipped rather than blocking every later record.</summary>
    public async Task<List<Dictionary<string, JsonElement>>> ReadAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(uri, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var rows = new List<Dictionary<string, JsonElement>>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line) is { } row)
                {
                    rows.Add(row);
                }
            }
            catch (JsonException)
            {
                // Another writer's bad line must not stop this replica from seeing the rest.
            }
        }

        return rows;
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
