using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "BatchInferenceJob", PluralName = "batchinferencejobs")]
[ShortNames("bij")]
[Description("Scores JSON lines from S3 with a solution version and writes <input>.out files (CreateBatchInferenceJob).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Lines", ".status.linesRead", "integer")]
[PrinterColumn("Errors", ".status.linesFailed", "integer")]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class BatchInferenceJob : CustomResource<BatchInferenceJobSpec, BatchInferenceJobStatus>;

public sealed class BatchInferenceJobSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("solutionVersionRef")]
    public ResourceRef SolutionVersionRef { get; set; } = new();

    [Required]
    [Immutable]
    [JsonPropertyName("jobInput")]
    public BatchInferenceJobInput JobInput { get; set; } = new();

    [Required]
    [Immutable]
    [JsonPropertyName("jobOutput")]
    public BatchInferenceJobOutput JobOutput { get; set; } = new();

    [Immutable]
    [Description("A Filter of the same dataset group applied to every line (values per line in filterValues).")]
    [JsonPropertyName("filterRef")]
    public ResourceRef? FilterRef { get; set; }

    [Immutable]
    [Range(1, Validation.MaxNumResults)]
    [DefaultValue(25)]
    [JsonPropertyName("numResults")]
    public int? NumResults { get; set; }

    [Immutable]
    [JsonPropertyName("batchInferenceJobConfig")]
    public BatchInferenceJobConfig? BatchInferenceJobConfig { get; set; }

    [Immutable]
    [JsonPropertyName("resources")]
    public JobResources? Resources { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class BatchInferenceJobInput
{
    [Required]
    [JsonPropertyName("s3DataSource")]
    public S3DataConfig S3DataSource { get; set; } = new();
}

public sealed class BatchInferenceJobOutput
{
    [Required]
    [JsonPropertyName("s3DataDestination")]
    public S3DataConfig S3DataDestination { get; set; } = new();
}

public sealed class S3DataConfig
{
    [Required]
    [RegularExpression(Validation.S3UriPattern)]
    [MaxLength(256)]
    [JsonPropertyName("path")]
    public string Path { get; set; } = string.Empty;
}

public sealed class BatchInferenceJobConfig
{
    [JsonPropertyName("itemExplorationConfig")]
    public Dictionary<string, string>? ItemExplorationConfig { get; set; }
}

public sealed class BatchInferenceJobStatus : ResourceStatus
{
    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }

    [JsonPropertyName("linesRead")]
    public long? LinesRead { get; set; }

    [JsonPropertyName("linesFailed")]
    public long? LinesFailed { get; set; }

    [Description("The .out files written, one per input file.")]
    [JsonPropertyName("outputs")]
    public List<string>? Outputs { get; set; }

    [JsonPropertyName("startTime")]
    public DateTimeOffset? StartTime { get; set; }

    [JsonPropertyName("completionTime")]
    public DateTimeOffset? CompletionTime { get; set; }
}
