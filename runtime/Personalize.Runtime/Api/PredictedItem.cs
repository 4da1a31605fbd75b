using System.Text.Json.Serialization;

namespace Personalize.Runtime.Api;

/// <summary>
/// One entry of itemList / personalizedRanking. score is absent for recipes that do not score (SIMS, popularity);
/// promotionName is set on items a promotion placed.
/// </summary>
public sealed record PredictedItem(
    [property: JsonPropertyName("itemId")] string ItemId,
    [property: JsonPropertyName("score")] double? Score,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata = null,
    [property: JsonPropertyName("promotionName")] string? PromotionName = null);
