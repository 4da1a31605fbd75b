using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "SolutionVersion", PluralName = "solutionversions")]
[ShortNames("sv")]
[Description("One training of a solution: a trainer Job that writes a model and its offline metrics (CreateSolutionVersion).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Recipe", ".status.recipe")]
[PrinterColumn("NDCG@10", ".status.metrics.normalized_discounted_cumulative_gain_at_10", "number")]
[PrinterColumn("Progress", ".status.progress.percentComplete", "integer", Priority = 1)]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class SolutionVersion : CustomResource<SolutionVersionSpec, SolutionVersionStatus>;

public sealed class SolutionVersionSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("solutionRef")]
    public ResourceRef SolutionRef { get; set; } = new();

    [Immutable]
    [AllowedValues(TrainingModes.Full, TrainingModes.Update)]
    [DefaultValue(TrainingModes.Full)]
    [Description("FULL retrains on all data; UPDATE brings new items and events into the latest ACTIVE FULL version.")]
    [JsonPropertyName("trainingMode")]
    public string? TrainingMode { get; set; }

    [Immutable]
    [Description("Compute for the trainer Job: GPUs, CPU, memory, nodeSelector, tolerations.")]
    [JsonPropertyName("resources")]
    public JobResources? Resources { get; set; }

    [Description("StopSolutionVersionCreation: true stops a CREATE PENDING or CREATE IN_PROGRESS training (CREATE STOPPING, then CREATE STOPPED). A stopped version cannot resume; a finished one is unaffected.")]
    [JsonPropertyName("stop")]
    public bool? Stop { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class SolutionVersionStatus : ResourceStatus
{
    [JsonPropertyName("recipe")]
    public string? Recipe { get; set; }

    [JsonPropertyName("trainingMode")]
    public string? TrainingMode { get; set; }

    [Description("AUTOMATIC when the solution's schedule created it, else MANUAL.")]
    [JsonPropertyName("trainingType")]
    public string? TrainingType { get; set; }

    [Description("Offline metrics on the held-out 10% of users (GetSolutionMetrics).")]
    [JsonPropertyName("metrics")]
    public Dictionary<string, double>? Metrics { get; set; }

    [JsonPropertyName("tunedHPOParams")]
    public Dictionary<string, string>? TunedHPOParams { get; set; }

    [JsonPropertyName("trainingHours")]
    public double? TrainingHours { get; set; }

    [Description("The model artifact (manifest and tensors) in the object store.")]
    [JsonPropertyName("modelLocation")]
    public string? ModelLocation { get; set; }

    [Description("The training report: a self-contained HTML page of loss curves, metrics against the popularity baseline and earlier versions, candidates and the training data (`personalize report <name>` fetches it).")]
    [JsonPropertyName("reportUri")]
    public string? ReportUri { get; set; }

    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }

    [JsonPropertyName("progress")]
    public TrainingProgress? Progress { get; set; }
}

public sealed class TrainingProgress
{
    [JsonPropertyName("epoch")]
    public int? Epoch { get; set; }

    [JsonPropertyName("totalEpochs")]
    public int? TotalEpochs { get; set; }

    [JsonPropertyName("loss")]
    public double? Loss { get; set; }

    [JsonPropertyName("eventsPerSecond")]
    public double? EventsPerSecond { get; set; }

    [JsonPropertyName("etaSeconds")]
    public double? EtaSeconds { get; set; }

    [JsonPropertyName("percentComplete")]
    public int? PercentComplete { get; set; }
}
