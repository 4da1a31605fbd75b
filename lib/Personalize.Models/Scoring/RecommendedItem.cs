namespace Personalize.Models.Scoring;

/// <summary>One recommended item; Score is null for recipes that return none (SIMS, popularity) and for unknown items in a ranking.</summary>
public readonly record struct RecommendedItem(string ItemId, double? Score);
