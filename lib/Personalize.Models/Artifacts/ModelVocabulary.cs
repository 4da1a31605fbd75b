using System.Text.Json.Serialization;

namespace Personalize.Models.Artifacts;

/// <summary>
/// vocabulary.json: the item and user ids (and context tokens) in tensor-row order. Kept out of the manifest so the manifest stays small
/// to read while the vocabularies grow with the catalogue.
/// </summary>
public sealed class ModelVocabulary
{
    public const string FileName = "vocabulary.json";

    [JsonPropertyName("items")]
    public List<string> Items { get; set; } = [];

    [JsonPropertyName("users")]
    public List<string> Users { get; set; } = [];

    /// <summary>The contextual metadata tokens ("DEVICE=mobile") in row order of the context tensor; empty when the model has none.</summary>
    [JsonPropertyName("contextTokens")]
    public List<string> ContextTokens { get; set; } = [];
}
