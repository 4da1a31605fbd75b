using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// The commit point of a compaction (docs/contracts.md, contract 2): datasets/{type}/compacted/watermark-{version}.json
/// says that the Parquet parts it lists hold every record of every real-time object whose key is at most
/// <see cref="Through"/>, and nothing else. A compaction writes its parts first and this object last, so a crash in
/// between leaves parts no watermark names, which readers never see. Watermarks are never rewritten: the newest (the
/// greatest key, since versions are object names and those start with their time) is the current one, whichever
/// compactor wrote it last.
/// </summary>
public sealed class RealtimeWatermark
{
    private const string FilePrefix = "watermark-";
    private const string FileSuffix = ".json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The name of the last folded object without its extension; parts live under compacted/parts/{version}/.</summary>
    [JsonPropertyName("version")]
    public string Version { get; set; } = string.Empty;

    /// <summary>Key of the last real-time object folded (in key order); objects after it are read as they are.</summary>
    [JsonPropertyName("through")]
    public string Through { get; set; } = string.Empty;

    [JsonPropertyName("committedAt")]
    public DateTimeOffset CommittedAt { get; set; }

    [JsonPropertyName("objects")]
    public long Objects { get; set; }

    [JsonPropertyName("records")]
    public long Records { get; set; }

    /// <summary>Every part, oldest records first: the previous watermark's parts, then this compaction's.</summary>
    [JsonPropertyName("parts")]
    public List<BulkFile> Parts { get; set; } = [];

    public static S3Uri Location(S3Uri datasetGroup, string datasetType, string version) =>
        StoreLayout.RealtimeCompacted(datasetGroup, datasetType).Append($"{FilePrefix}{version}{FileSuffix}");

    /// <summary>Where every compaction's parts live, each under its version's folder.</summary>
    public static S3Uri PartsRoot(S3Uri datasetGroup, string datasetType) => StoreLayout.RealtimeCompacted(datasetGroup, datasetType).Append("parts/");

    public static S3Uri PartsPrefix(S3Uri datasetGroup, string datasetType, string version) => PartsRoot(datasetGroup, datasetType).Append($"{version}/");

    /// <summary>Whether a real-time object is folded into the parts this watermark names.</summary>
    public bool Covers(S3Uri realtimeObject) => string.CompareOrdinal(realtimeObject.Key, Through) <= 0;

    /// <summary>The current watermark (the newest committed), or null when the dataset's records were never compacted.</summary>
    public static async Task<RealtimeWatermark?> ReadNewestAsync(IObjectStore store, S3Uri datasetGroup, string datasetType, CancellationToken cancellationToken)
    {
        S3Uri? newest = null;
        await foreach (var uri in ListAsync(store, datasetGroup, datasetType, cancellationToken))
        {
            newest = uri;
        }

        return newest is { } location ? await ReadAsync(store, location, cancellationToken) : null;
    }

    /// <summary>Every committed watermark's location, oldest first.</summary>
    internal static async IAsyncEnumerable<S3Uri> ListAsync(
        IObjectStore store, S3Uri datasetGroup, string datasetType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(StoreLayout.RealtimeCompacted(datasetGroup, datasetType).Append(FilePrefix), cancellationToken))
        {
            if (info.Uri.Key.EndsWith(FileSuffix, StringComparison.Ordinal))
            {
                yield return info.Uri;
            }
        }
    }

    internal static async Task<RealtimeWatermark> ReadAsync(IObjectStore store, S3Uri uri, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(uri, cancellationToken);
        return await JsonSerializer.DeserializeAsync<RealtimeWatermark>(stream, Json, cancellationToken)
            ?? throw new InvalidDataException($"{uri} holds no watermark.");
    }

    internal Task WriteAsync(IObjectStore store, S3Uri datasetGroup, string datasetType, CancellationToken cancellationToken) =>
        store.WriteAsync(Location(datasetGroup, datasetType, Version), new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(this, Json)), cancellationToken);
}
