using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "DatasetImportJob", PluralName = "datasetimportjobs")]
[ShortNames("dij")]
[Description("Imports CSV from S3 into a dataset, checked against its schema (CreateDatasetImportJob).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Imported", ".status.rowsImported", "integer")]
[PrinterColumn("Rejected", ".status.rowsRejected", "integer")]
[PrinterColumn("Mode", ".spec.importMode", Priority = 1)]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class DatasetImportJob : CustomResource<DatasetImportJobSpec, DatasetImportJobStatus>;

public sealed class DatasetImportJobSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("datasetRef")]
    public ResourceRef DatasetRef { get; set; } = new();

    [Required]
    [Immutable]
    [JsonPropertyName("dataSource")]
    public DataSource DataSource { get; set; } = new();

    [Immutable]
    [AllowedValues(ImportModes.Full, ImportModes.Incremental)]
    [DefaultValue(ImportModes.Full)]
    [Description("FULL replaces the dataset's bulk data; INCREMENTAL appends, replacing records with the same id.")]
    [JsonPropertyName("importMode")]
    public string? ImportMode { get; set; }

    [Immutable]
    [Range(0.0, 1.0)]
    [Description("Share of rows that may be rejected before the whole import fails (default 0.1).")]
    [JsonPropertyName("maxRejectedRowsRatio")]
    public double? MaxRejectedRowsRatio { get; set; }

    [Immutable]
    [Description("Not supported: true is refused. This product has no metric attributions to publish.")]
    [JsonPropertyName("publishAttributionMetricsToS3")]
    public bool? PublishAttributionMetricsToS3 { get; set; }

    [JsonPropertyName("resources")]
    public JobResources? Resources { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class DataSource
{
    [Required]
    [RegularExpression(Validation.S3UriPattern)]
    [MaxLength(256)]
    [Description("An S3 object (s3://bucket/file.csv) or a prefix ending in / whose .csv objects are all read.")]
    [JsonPropertyName("dataLocation")]
    public string DataLocation { get; set; } = string.Empty;
}

public sealed class DatasetImportJobStatus : ResourceStatus
{
    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }

    [JsonPropertyName("rowsRead")]
    public long? RowsRead { get; set; }

    [JsonPropertyName("rowsImported")]
    public long? RowsImported { get; set; }

    [JsonPropertyName("rowsRejected")]
    public long? RowsRejected { get; set; }

    [JsonPropertyName("distinctUsers")]
    public long? DistinctUsers { get; set; }

    [JsonPropertyName("distinctItems")]
    public long? DistinctItems { get; set; }

    [Description("Where the import report (with the first rejected rows and why) was written.")]
    [JsonPropertyName("reportLocation")]
    public string? ReportLocation { get; set; }

    [JsonPropertyName("startTime")]
    public DateTimeOffset? StartTime { get; set; }

    [JsonPropertyName("completionTime")]
    public DateTimeOffset? CompletionTime { get; set; }
}
