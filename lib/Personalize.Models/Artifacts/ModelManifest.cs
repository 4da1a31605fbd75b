using System.Text.Json.Serialization;
using Personalize.Jobs;

namespace Personalize.Models.Artifacts;

/// <summary>
/// manifest.json of a model artifact: what was trained, how, on which data, how well it did, and which scorer serves
/// it. The tensors are in model.safetensors and the id vocabularies in vocabulary.json beside it.
/// </summary>
public sealed class ModelManifest
{
    public const string FileName = "manifest.json";
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("formatVersion")]
    public int FormatVersion { get; set; } = CurrentFormatVersion;

    [JsonPropertyName("recipe")]
    public string Recipe { get; set; } = string.Empty;

    [JsonPropertyName("recipeType")]
    public string RecipeType { get; set; } = string.Empty;

    [Description("Which scorer serves this model: one of ScorerKinds.")]
    [JsonPropertyName("scorer")]
    public string Scorer { get; set; } = string.Empty;

    [Description("The hyper-parameters training used (recipe defaults overlaid with the solution's and tuned values).")]
    [JsonPropertyName("hyperParameters")]
    public Dictionary<string, string> HyperParameters { get; set; } = [];

    [JsonPropertyName("eventType")]
    public string? EventType { get; set; }

    [JsonPropertyName("eventValueThreshold")]
    public string? EventValueThreshold { get; set; }

    [JsonPropertyName("trainingData")]
    public TrainingDataSummary TrainingData { get; set; } = new();

    [JsonPropertyName("metrics")]
    public Dictionary<string, double> Metrics { get; set; } = [];

    [JsonPropertyName("createdAt")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonPropertyName("tensorsFile")]
    public string TensorsFile { get; set; } = ModelArtifact.TensorsFileName;

    [JsonPropertyName("vocabularyFile")]
    public string VocabularyFile { get; set; } = ModelVocabulary.FileName;
}

public sealed class TrainingDataSummary
{
    [JsonPropertyName("interactions")]
    public long Interactions { get; set; }

    [JsonPropertyName("users")]
    public int Users { get; set; }

    [JsonPropertyName("items")]
    public int Items { get; set; }

    [Description("Oldest TIMESTAMP used (epoch seconds).")]
    [JsonPropertyName("minTimestamp")]
    public long? MinTimestamp { get; set; }

    [Description("Newest TIMESTAMP used (epoch seconds).")]
    [JsonPropertyName("maxTimestamp")]
    public long? MaxTimestamp { get; set; }
}

/// <summary>The scorers a manifest may name; each recipe maps to one.</summary>
public static class ScorerKinds
{
    public const string Popularity = "popularity";
    public const string Sims = "sims";
    public const string Hrnn = "hrnn";
    public const string Trending = "trending";
}
