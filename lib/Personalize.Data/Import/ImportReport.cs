using System.Text.Json.Serialization;

namespace Personalize.Data.Import;

/// <summary>What an import did, written as JSON to StoreLayout.ImportReport whether it succeeded or failed.</summary>
public sealed class ImportReport
{
    public const int MaxRejectionsListed = 100;

    [JsonPropertyName("jobName")]
    public string JobName { get; set; } = string.Empty;

    [JsonPropertyName("datasetType")]
    public string DatasetType { get; set; } = string.Empty;

    [JsonPropertyName("importMode")]
    public string ImportMode { get; set; } = string.Empty;

    [JsonPropertyName("dataLocation")]
    public string DataLocation { get; set; } = string.Empty;

    [JsonPropertyName("status")]
    public string Status { get; set; } = string.Empty;

    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }

    [JsonPropertyName("files")]
    public List<ImportedFile> Files { get; set; } = [];

    [JsonPropertyName("rowsRead")]
    public long RowsRead { get; set; }

    [JsonPropertyName("rowsImported")]
    public long RowsImported { get; set; }

    [JsonPropertyName("rowsRejected")]
    public long RowsRejected { get; set; }

    /// <summary>The first <see cref="MaxRejectionsListed"/> rejected rows.</summary>
    [JsonPropertyName("rejections")]
    public List<RowRejection> Rejections { get; set; } = [];

    /// <summary>INCREMENTAL: earlier rows replaced by rows of this import with the same id (or interaction key).</summary>
    [JsonPropertyName("rowsReplaced")]
    public long RowsReplaced { get; set; }

    /// <summary>Rows the dataset's bulk data holds after this import.</summary>
    [JsonPropertyName("datasetRowCount")]
    public long DatasetRowCount { get; set; }

    /// <summary>Distinct USER_IDs imported (exact up to a million, then a HyperLogLog estimate within about 1%).</summary>
    [JsonPropertyName("distinctUsers")]
    public long? DistinctUsers { get; set; }

    [JsonPropertyName("distinctItems")]
    public long? DistinctItems { get; set; }

    /// <summary>Earliest TIMESTAMP (Interactions) or CREATION_TIMESTAMP (Items) imported, epoch seconds.</summary>
    [JsonPropertyName("minTimestamp")]
    public long? MinTimestamp { get; set; }

    [JsonPropertyName("maxTimestamp")]
    public long? MaxTimestamp { get; set; }

    [JsonPropertyName("bytesRead")]
    public long BytesRead { get; set; }

    [JsonPropertyName("startedAt")]
    public DateTimeOffset StartedAt { get; set; }

    [JsonPropertyName("finishedAt")]
    public DateTimeOffset FinishedAt { get; set; }

    /// <summary>The bulk data version this import committed (null when it failed).</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }
}

public sealed record ImportedFile(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("rowsRead")] long RowsRead);

/// <summary>One rejected row: the file, its line, the column at fault (or "*" for the whole row) and why.</summary>
public sealed record RowRejection(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("line")] long Line,
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("reason")] string Reason);
