using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>Inputs of `personalize-trainer train`: a solution's recipe and configuration over a dataset group.</summary>
public sealed class TrainJobSpec
{
    [JsonPropertyName("datasetGroupUri")]
    public string DatasetGroupUri { get; set; } = string.Empty;

    [Description("Recipe name (aws-hrnn, ...); ignored when performAutoML is true.")]
    [JsonPropertyName("recipe")]
    public string? Recipe { get; set; }

    [JsonPropertyName("performAutoML")]
    public bool PerformAutoML { get; set; }

    [JsonPropertyName("performHPO")]
    public bool PerformHPO { get; set; }

    [JsonPropertyName("eventType")]
    public string? EventType { get; set; }

    [JsonPropertyName("eventValueThreshold")]
    public string? EventValueThreshold { get; set; }

    [JsonPropertyName("algorithmHyperParameters")]
    public Dictionary<string, string> AlgorithmHyperParameters { get; set; } = [];

    [JsonPropertyName("featureTransformationParameters")]
    public Dictionary<string, string> FeatureTransformationParameters { get; set; } = [];

    [Description("autoMLConfig.metricName (default precision_at_25).")]
    [JsonPropertyName("autoMLMetric")]
    public string? AutoMLMetric { get; set; }

    [JsonPropertyName("autoMLRecipes")]
    public List<string> AutoMLRecipes { get; set; } = [];

    [Description("The solution's hpoConfig as JSON, when performHPO is true.")]
    [JsonPropertyName("hpoConfigJson")]
    public string? HpoConfigJson { get; set; }

    [Description("FULL or UPDATE.")]
    [JsonPropertyName("trainingMode")]
    public string TrainingMode { get; set; } = "FULL";

    [Description("For UPDATE: the model of the latest ACTIVE FULL version.")]
    [JsonPropertyName("baseModelUri")]
    public string? BaseModelUri { get; set; }

    [Description("For UPDATE (a campaign's automatic update): when the data holds nothing newer than the base model (no interaction after its newest, no item outside its vocabulary), write no model and report why in the result's skipped.")]
    [JsonPropertyName("onlyWithNewData")]
    public bool OnlyWithNewData { get; set; }

    [Description("s3:// prefix the model artifact is written under (manifest.json, model.safetensors).")]
    [JsonPropertyName("modelUri")]
    public string ModelUri { get; set; } = string.Empty;

    [Description("s3:// prefix for per-epoch checkpoints; a restarted run resumes from the newest.")]
    [JsonPropertyName("checkpointUri")]
    public string CheckpointUri { get; set; } = string.Empty;

    [JsonPropertyName("seed")]
    public int Seed { get; set; } = 42;

    [Description("s3:// object the training report (self-contained HTML) is written to; none when empty.")]
    [JsonPropertyName("reportUri")]
    public string? ReportUri { get; set; }

    [Description("The solution's earlier ACTIVE versions, oldest first, so the report compares against them.")]
    [JsonPropertyName("previousVersions")]
    public List<TrainedVersion> PreviousVersions { get; set; } = [];
}

/// <summary>An earlier training of the same solution: what the report compares the new one with.</summary>
public sealed class TrainedVersion
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("createdAt")]
    public DateTimeOffset? CreatedAt { get; set; }

    [JsonPropertyName("recipe")]
    public string? Recipe { get; set; }

    [JsonPropertyName("metrics")]
    public Dictionary<string, double> Metrics { get; set; } = [];
}

public sealed class TrainJobResult
{
    [JsonPropertyName("recipe")]
    public string Recipe { get; set; } = string.Empty;

    [JsonPropertyName("metrics")]
    public Dictionary<string, double> Metrics { get; set; } = [];

    [JsonPropertyName("tunedHyperParameters")]
    public Dictionary<string, string> TunedHyperParameters { get; set; } = [];

    [JsonPropertyName("modelUri")]
    public string ModelUri { get; set; } = string.Empty;

    [JsonPropertyName("trainingSeconds")]
    public double TrainingSeconds { get; set; }

    [JsonPropertyName("interactions")]
    public long Interactions { get; set; }

    [Description("Where the training report was written (s3://), when the spec asked for one.")]
    [JsonPropertyName("reportUri")]
    public string? ReportUri { get; set; }

    [Description("Real-time events with an event type and no item (e.g. page views): recorded, but nothing to train on.")]
    [JsonPropertyName("eventsWithoutItem")]
    public long EventsWithoutItem { get; set; }

    [Description("Interactions with a recommendationId and no impression whose served list became their impressions (aws-user-personalization trains on them).")]
    [JsonPropertyName("implicitImpressions")]
    public long ImplicitImpressions { get; set; }

    [Description("Interactions with a recommendationId and no impression whose list was not found among the served lists kept, or was served to another user: trained without impressions.")]
    [JsonPropertyName("unresolvedRecommendationIds")]
    public long UnresolvedRecommendationIds { get; set; }

    [Description("Why no model was written (onlyWithNewData and nothing new); null when one was.")]
    [JsonPropertyName("skipped")]
    public string? Skipped { get; set; }

    [Description("AutoML: every candidate's metrics, by recipe.")]
    [JsonPropertyName("candidates")]
    public Dictionary<string, Dictionary<string, double>>? Candidates { get; set; }
}
