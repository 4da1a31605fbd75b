using System.Text.Json;
using System.Text.Json.Serialization;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// The commit point of a dataset's bulk data: datasets/{type}/bulk/manifest.json lists the Parquet files that make up
/// the current bulk data. An import writes its files first and this one object last, so readers see the whole old
/// import or the whole new one, never half of either.
/// </summary>
public sealed class BulkManifest
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Sortable id of this commit ({yyyyMMddTHHmmssfff}-{import job}); its files live under bulk/{version}/.</summary>
    [JsonPropertyName("version")]
    public string Version { get; set; } = string.Empty;

    [JsonPropertyName("datasetType")]
    public string DatasetType { get; set; } = string.Empty;

    [JsonPropertyName("importJob")]
    public string? ImportJob { get; set; }

    [JsonPropertyName("importMode")]
    public string ImportMode { get; set; } = string.Empty;

    [JsonPropertyName("committedAt")]
    public DateTimeOffset CommittedAt { get; set; }

    [JsonPropertyName("rowCount")]
    public long RowCount { get; set; }

    /// <summary>The manifest this one replaced; its files stay until the next commit so running readers can finish.</summary>
    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; set; }

    [JsonPropertyName("files")]
    public List<BulkFile> Files { get; set; } = [];

    public static S3Uri Location(S3Uri datasetGroup, string datasetType) => StoreLayout.BulkData(datasetGroup, datasetType).Append(FileName);

    public static async Task<BulkManifest?> ReadAsync(IObjectStore store, S3Uri datasetGroup, string datasetType, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await store.OpenReadAsync(Location(datasetGroup, datasetType), cancellationToken);
            return await JsonSerializer.DeserializeAsync<BulkManifest>(stream, Json, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    internal async Task WriteAsync(IObjectStore store, S3Uri datasetGroup, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        await store.WriteAsync(Location(datasetGroup, DatasetType), new MemoryStream(bytes), cancellationToken);
    }
}

/// <summary>One Parquet file of the bulk data: its key in the dataset group's bucket and its row count.</summary>
public sealed record BulkFile([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("rows")] long Rows);
