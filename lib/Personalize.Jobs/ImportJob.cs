using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>Inputs of `personalize-trainer import`: CSV from S3, checked against a schema, into the dataset store.</summary>
public sealed class ImportJobSpec
{
    [JsonPropertyName("datasetType")]
    public string DatasetType { get; set; } = string.Empty;

    [Description("The Avro schema JSON, as in the Schema resource.")]
    [JsonPropertyName("schema")]
    public string Schema { get; set; } = string.Empty;

    [Description("s3://bucket/file.csv or s3://bucket/prefix/ (every .csv under it).")]
    [JsonPropertyName("dataLocation")]
    public string DataLocation { get; set; } = string.Empty;

    [Description("FULL or INCREMENTAL.")]
    [JsonPropertyName("importMode")]
    public string ImportMode { get; set; } = "FULL";

    [Description("s3:// prefix of the dataset group (StoreLayout.DatasetGroup).")]
    [JsonPropertyName("datasetGroupUri")]
    public string DatasetGroupUri { get; set; } = string.Empty;

    [JsonPropertyName("maxRejectedRowsRatio")]
    public double MaxRejectedRowsRatio { get; set; } = 0.1;
}

public sealed class ImportJobResult
{
    [JsonPropertyName("rowsRead")]
    public long RowsRead { get; set; }

    [JsonPropertyName("rowsImported")]
    public long RowsImported { get; set; }

    [JsonPropertyName("rowsRejected")]
    public long RowsRejected { get; set; }

    [Description("Rows the dataset holds after this import (FULL: the import; INCREMENTAL: old plus new, minus replaced).")]
    [JsonPropertyName("datasetRowCount")]
    public long DatasetRowCount { get; set; }

    [JsonPropertyName("distinctUsers")]
    public long? DistinctUsers { get; set; }

    [JsonPropertyName("distinctItems")]
    public long? DistinctItems { get; set; }

    [JsonPropertyName("minTimestamp")]
    public long? MinTimestamp { get; set; }

    [JsonPropertyName("maxTimestamp")]
    public long? MaxTimestamp { get; set; }

    [JsonPropertyName("reportUri")]
    public string? ReportUri { get; set; }
}
