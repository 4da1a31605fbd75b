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

    [Description("HRNN family: how many of a user's newest items the GRU reads to score for them; absent in models trained before it was recorded, which read bptt items.")]
    [JsonPropertyName("historyWindow")]
    public int? HistoryWindow { get; set; }

    [Description("HRNN family, where users in the training data (almost) never had an item twice: the share of training events that repeat an item the user had, smoothed ((repeats + 1) / (events + 2)). The network learned which of the items a user has not had comes next, so a user's own items share this probability among them, and rank after the new items the model expects more. Absent where users repeat items: the network then learned repeats too.")]
    [JsonPropertyName("repeatShare")]
    public double? RepeatShare { get; set; }

    [JsonPropertyName("eventType")]
    public string? EventType { get; set; }

    [JsonPropertyName("eventValueThreshold")]
    public string? EventValueThreshold { get; set; }

    [JsonPropertyName("trainingData")]
    public TrainingDataSummary TrainingData { get; set; } = new();

    [JsonPropertyName("metrics")]
    public Dictionary<string, double> Metrics { get; set; } = [];

    [Description("The approximate nearest-neighbour index built beside the model: its recall@25 against exact scoring on held-out users, and whether it ships (tensors ann_*).")]
    [JsonPropertyName("annIndex")]
    public AnnIndexReport? AnnIndex { get; set; }

    [Description("Whether the recipe's metadata features (item, user, context) earned their place: both variants' NDCG@10 on validation users held out from training, and the choice.")]
    [JsonPropertyName("metadataGate")]
    public MetadataGateReport? MetadataGate { get; set; }

    [Description("HRNN family, where users never repeat items: whether the item-item co-occurrence term (EASE's weights, factored) was added to the network's scores, with the validation figures it was chosen by.")]
    [JsonPropertyName("coOccurrence")]
    public CoOccurrenceReport? CoOccurrence { get; set; }

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

/// <summary>What the trainer measured of the ANN index; the runtime serves the index only when <see cref="Shipped"/>.</summary>
public sealed class AnnIndexReport
{
    [Description("How the index works: \"ivf\" (k-means lists over [item vector, bias], int8 scan of the best lists, float32 re-scoring).")]
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ivf";

    [JsonPropertyName("lists")]
    public int Lists { get; set; }

    [Description("Lists each query reads: the fewest that reached the target recall on the held-out users.")]
    [JsonPropertyName("probes")]
    public int Probes { get; set; }

    [Description("Mean overlap of the index's top 25 with float32 exact scoring's, over the held-out users, at probes.")]
    [JsonPropertyName("recallAt25")]
    public double RecallAt25 { get; set; }

    [JsonPropertyName("heldOutUsers")]
    public int HeldOutUsers { get; set; }

    [Description("True when recallAt25 reached the gate (0.98) and the index tensors are in the artifact.")]
    [JsonPropertyName("shipped")]
    public bool Shipped { get; set; }

    [Description("Why the index was not shipped, when it was not.")]
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }
}

/// <summary>
/// aws-hrnn-metadata's check that metadata helps: the model trained with and without its metadata features on the
/// training users less a validation share, both scored on those validation users.
/// </summary>
public sealed class MetadataGateReport
{
    [Description("True when the served model uses the metadata features; false when it is the same network trained without them.")]
    [JsonPropertyName("used")]
    public bool Used { get; set; }

    [JsonPropertyName("validationUsers")]
    public int ValidationUsers { get; set; }

    [JsonPropertyName("ndcgAt10WithMetadata")]
    public double NdcgAt10WithMetadata { get; set; }

    [JsonPropertyName("ndcgAt10WithoutMetadata")]
    public double NdcgAt10WithoutMetadata { get; set; }

    [Description("Standard error of the per-user difference (with - without); metadata is kept only when its gain exceeds it.")]
    [JsonPropertyName("standardError")]
    public double StandardError { get; set; }

    [Description("The choice in words, as the training progress reported it.")]
    [JsonPropertyName("reason")]
    public string Reason { get; set; } = string.Empty;
}

/// <summary>
/// The HRNN family's co-occurrence term: EASE (Steck 2019, closed-form item-item weights) fitted on the training users,
/// factored to a low rank so it serves as more state dimensions, and added to the network's logits with a weight;
/// the ridge and the weight are chosen on validation users held out from training.
/// </summary>
public sealed record CoOccurrenceReport
{
    [Description("True when the served model adds the term (tensor history_item_input); false when it did not beat the network alone by more than noise.")]
    [JsonPropertyName("used")]
    public bool Used { get; set; }

    [Description("EASE's ridge λ.")]
    [JsonPropertyName("lambda")]
    public double Lambda { get; set; }

    [Description("The term's weight against the network's logits, in units of the standard deviation of the scores EASE gives training users.")]
    [JsonPropertyName("weight")]
    public double Weight { get; set; }

    [Description("The rank the item-item weights are factored to: the state dimensions the term adds.")]
    [JsonPropertyName("rank")]
    public int Rank { get; set; }

    [Description("Items the term covers: the most interacted, up to a cap that bounds the fit's memory. Only these add to a user's term as history; the others are scored by their own ridge regression on them.")]
    [JsonPropertyName("items")]
    public int Items { get; set; }

    [Description("The share of the training data's distinct user-item pairs whose item the term covers (1 where no item is over the cap).")]
    [JsonPropertyName("pairShare")]
    public double PairShare { get; set; }

    [JsonPropertyName("validationUsers")]
    public int ValidationUsers { get; set; }

    [JsonPropertyName("ndcgAt10With")]
    public double NdcgAt10With { get; set; }

    [JsonPropertyName("ndcgAt10Without")]
    public double NdcgAt10Without { get; set; }

    [Description("Standard error of the per-user difference (with - without); the term is kept only when its gain exceeds it.")]
    [JsonPropertyName("standardError")]
    public double StandardError { get; set; }

    [Description("The choice in words, as the training progress reported it.")]
    [JsonPropertyName("reason")]
    public string Reason { get; set; } = string.Empty;
}

/// <summary>The scorers a manifest may name; each recipe maps to one.</summary>
public static class ScorerKinds
{
    public const string Popularity = "popularity";
    public const string Sims = "sims";
    public const string Hrnn = "hrnn";
    public const string Trending = "trending";
}
