using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "Solution", PluralName = "solutions")]
[ShortNames("sol")]
[Description("A recipe (or AutoML) and its configuration for one dataset group (CreateSolution).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Recipe", ".status.recipe")]
[PrinterColumn("Latest", ".status.latestSolutionVersion.name")]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class Solution : CustomResource<SolutionSpec, SolutionStatus>;

public sealed class SolutionSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("datasetGroupRef")]
    public ResourceRef DatasetGroupRef { get; set; } = new();

    [Immutable]
    [RegularExpression(Recipes.RecipeArnPattern)]
    [Description("arn:aws:personalize:::recipe/<name>; required unless performAutoML is true, and refused with it (AutoML chooses among solutionConfig.autoMLConfig.recipeList).")]
    [JsonPropertyName("recipeArn")]
    public string? RecipeArn { get; set; }

    [Immutable]
    [Description("Train the AutoML candidates (the HRNN recipes) and keep the best by autoMLConfig.metricName. Each candidate trains with its own defaults, so recipeArn, algorithmHyperParameters and featureTransformationParameters are refused with it.")]
    [JsonPropertyName("performAutoML")]
    public bool? PerformAutoML { get; set; }

    [Immutable]
    [Description("Search solutionConfig.hpoConfig's ranges for the best hyper-parameters.")]
    [JsonPropertyName("performHPO")]
    public bool? PerformHPO { get; set; }

    [Description("Create a FULL SolutionVersion on solutionConfig.autoTrainingConfig's schedule. Default false here: retraining costs compute, so it is opt-in.")]
    [JsonPropertyName("performAutoTraining")]
    public bool? PerformAutoTraining { get; set; }

    [Immutable]
    [MaxLength(256)]
    [Description("Train only on interactions of this EVENT_TYPE; all types when omitted.")]
    [JsonPropertyName("eventType")]
    public string? EventType { get; set; }

    [JsonPropertyName("solutionConfig")]
    public SolutionConfig? SolutionConfig { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class SolutionConfig
{
    [MaxLength(256)]
    [RegularExpression("^-?[0-9]+(\\.[0-9]+)?$")]
    [Description("Only events whose EVENT_VALUE is at least this number train the model (a string, as in Personalize).")]
    [JsonPropertyName("eventValueThreshold")]
    public string? EventValueThreshold { get; set; }

    [Description("Hyper-parameters of the recipe, by their Personalize names (hidden_dimension, bptt, ...); refused with performAutoML.")]
    [JsonPropertyName("algorithmHyperParameters")]
    public Dictionary<string, string>? AlgorithmHyperParameters { get; set; }

    [Description("Featurization parameters (min_user_history_length_percentile, ...); refused with performAutoML.")]
    [JsonPropertyName("featureTransformationParameters")]
    public Dictionary<string, string>? FeatureTransformationParameters { get; set; }

    [JsonPropertyName("hpoConfig")]
    public HpoConfig? HpoConfig { get; set; }

    [JsonPropertyName("autoMLConfig")]
    public AutoMLConfig? AutoMLConfig { get; set; }

    [JsonPropertyName("autoTrainingConfig")]
    public AutoTrainingConfig? AutoTrainingConfig { get; set; }
}

public sealed class HpoConfig
{
    [JsonPropertyName("hpoObjective")]
    public HpoObjective? HpoObjective { get; set; }

    [JsonPropertyName("hpoResourceConfig")]
    public HpoResourceConfig? HpoResourceConfig { get; set; }

    [JsonPropertyName("algorithmHyperParameterRanges")]
    public HyperParameterRanges? AlgorithmHyperParameterRanges { get; set; }
}

public sealed class HpoObjective
{
    [AllowedValues("Maximize", "Minimize")]
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("metricName")]
    public string? MetricName { get; set; }

    [Description("Not supported: a non-empty value is refused. Name the objective with metricName (one of the offline metric names); a regex over training logs is not supported.")]
    [JsonPropertyName("metricRegex")]
    public string? MetricRegex { get; set; }
}

public sealed class HpoResourceConfig
{
    [RegularExpression("^([1-9]|[1-3][0-9]|40)$")]
    [Description("How many trainings the search may run (a string, 1-40).")]
    [JsonPropertyName("maxNumberOfTrainingJobs")]
    public string? MaxNumberOfTrainingJobs { get; set; }

    [RegularExpression("^([1-9]|10)$")]
    [JsonPropertyName("maxParallelTrainingJobs")]
    public string? MaxParallelTrainingJobs { get; set; }
}

public sealed class HyperParameterRanges
{
    [MaxLength(100)]
    [JsonPropertyName("integerHyperParameterRanges")]
    public List<IntegerHyperParameterRange>? IntegerHyperParameterRanges { get; set; }

    [MaxLength(100)]
    [JsonPropertyName("continuousHyperParameterRanges")]
    public List<ContinuousHyperParameterRange>? ContinuousHyperParameterRanges { get; set; }

    [MaxLength(100)]
    [JsonPropertyName("categoricalHyperParameterRanges")]
    public List<CategoricalHyperParameterRange>? CategoricalHyperParameterRanges { get; set; }
}

public sealed class IntegerHyperParameterRange
{
    [Required]
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("minValue")]
    public int MinValue { get; set; }

    [JsonPropertyName("maxValue")]
    public int MaxValue { get; set; }
}

public sealed class ContinuousHyperParameterRange
{
    [Required]
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("minValue")]
    public double MinValue { get; set; }

    [JsonPropertyName("maxValue")]
    public double MaxValue { get; set; }
}

public sealed class CategoricalHyperParameterRange
{
    [Required]
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("values")]
    public List<string> Values { get; set; } = [];
}

public sealed class AutoMLConfig
{
    [AllowedValues("coverage", "mean_reciprocal_rank_at_25", "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10", "normalized_discounted_cumulative_gain_at_25",
        "precision_at_5", "precision_at_10", "precision_at_25")]
    [DefaultValue("precision_at_25")]
    [JsonPropertyName("metricName")]
    public string? MetricName { get; set; }

    [Description("Recipe ARNs to try; the HRNN recipes when omitted.")]
    [JsonPropertyName("recipeList")]
    public List<string>? RecipeList { get; set; }
}

public sealed class AutoTrainingConfig
{
    [RegularExpression("^rate\\(([1-9]|[12][0-9]|30) days?\\)$")]
    [Description("How often to retrain: rate(N days), 1-30; default rate(7 days).")]
    [JsonPropertyName("schedulingExpression")]
    public string? SchedulingExpression { get; set; }
}

public sealed class SolutionStatus : ResourceStatus
{
    [Description("The recipe this solution trains (for AutoML, the best one found).")]
    [JsonPropertyName("recipe")]
    public string? Recipe { get; set; }

    [JsonPropertyName("autoMLResult")]
    public AutoMLResult? AutoMLResult { get; set; }

    [JsonPropertyName("latestSolutionVersion")]
    public SolutionVersionSummary? LatestSolutionVersion { get; set; }

    [JsonPropertyName("nextAutoTrainingTime")]
    public DateTimeOffset? NextAutoTrainingTime { get; set; }
}

public sealed class AutoMLResult
{
    [JsonPropertyName("bestRecipeArn")]
    public string? BestRecipeArn { get; set; }
}

public sealed class SolutionVersionSummary
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("trainingMode")]
    public string? TrainingMode { get; set; }

    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }
}
