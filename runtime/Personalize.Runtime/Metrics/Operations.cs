namespace Personalize.Runtime.Metrics;

/// <summary>The operation names metrics are labelled with: the Personalize API names.</summary>
public static class Operations
{
    public const string GetRecommendations = "GetRecommendations";
    public const string GetPersonalizedRanking = "GetPersonalizedRanking";
    public const string PutEvents = "PutEvents";
    public const string PutUsers = "PutUsers";
    public const string PutItems = "PutItems";
}
