using System.Text.Json.Serialization;

namespace Personalize.Runtime.Api;

/// <summary>POST /recommendations (personalize-runtime GetRecommendations).</summary>
public sealed class GetRecommendationsRequest
{
    [JsonPropertyName("campaignArn")]
    public string? CampaignArn { get; set; }

    [JsonPropertyName("recommenderArn")]
    public string? RecommenderArn { get; set; }

    [JsonPropertyName("userId")]
    public string? UserId { get; set; }

    [JsonPropertyName("itemId")]
    public string? ItemId { get; set; }

    [JsonPropertyName("numResults")]
    public int? NumResults { get; set; }

    [JsonPropertyName("context")]
    public Dictionary<string, string>? Context { get; set; }

    [JsonPropertyName("filterArn")]
    public string? FilterArn { get; set; }

    [JsonPropertyName("filterValues")]
    public Dictionary<string, string>? FilterValues { get; set; }

    [JsonPropertyName("promotions")]
    public List<PromotionInput>? Promotions { get; set; }

    [JsonPropertyName("metadataColumns")]
    public Dictionary<string, List<string>>? MetadataColumns { get; set; }
}

/// <summary>A share of the list given to items a second filter selects (Personalize's Promotion).</summary>
public sealed class PromotionInput
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("percentPromotedItems")]
    public int? PercentPromotedItems { get; set; }

    [JsonPropertyName("filterArn")]
    public string? FilterArn { get; set; }

    [JsonPropertyName("filterValues")]
    public Dictionary<string, string>? FilterValues { get; set; }
}

public sealed record GetRecommendationsResponse(
    [property: JsonPropertyName("itemList")] IReadOnlyList<PredictedItem> ItemList,
    [property: JsonPropertyName("recommendationId")] string RecommendationId);
