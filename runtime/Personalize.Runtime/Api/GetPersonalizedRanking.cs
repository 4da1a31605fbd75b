using System.Text.Json.Serialization;

namespace Personalize.Runtime.Api;

/// <summary>POST /personalize-ranking (personalize-runtime GetPersonalizedRanking).</summary>
public sealed class GetPersonalizedRankingRequest
{
    [JsonPropertyName("campaignArn")]
    public string? CampaignArn { get; set; }

    [JsonPropertyName("userId")]
    public string? UserId { get; set; }

    [JsonPropertyName("inputList")]
    public List<string>? InputList { get; set; }

    [JsonPropertyName("context")]
    public Dictionary<string, string>? Context { get; set; }

    [JsonPropertyName("filterArn")]
    public string? FilterArn { get; set; }

    [JsonPropertyName("filterValues")]
    public Dictionary<string, string>? FilterValues { get; set; }

    [JsonPropertyName("metadataColumns")]
    public Dictionary<string, List<string>>? MetadataColumns { get; set; }
}

public sealed record GetPersonalizedRankingResponse(
    [property: JsonPropertyName("personalizedRanking")] IReadOnlyList<PredictedItem> PersonalizedRanking,
    [property: JsonPropertyName("recommendationId")] string RecommendationId);
