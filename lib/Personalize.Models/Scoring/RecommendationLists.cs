namespace Personalize.Models.Scoring;

/// <summary>How two answers share one list (promoted items in the runtime, exploration items everywhere).</summary>
public static class RecommendationLists
{
    /// <summary>The first list's items spread evenly through the result (its first at the top), the second's in their own order.</summary>
    public static List<RecommendedItem> Spread(IReadOnlyList<RecommendedItem> spread, IReadOnlyList<RecommendedItem> rest)
    {
        var total = spread.Count + rest.Count;
        var merged = new List<RecommendedItem>(total);
        int s = 0, r = 0;
        for (var position = 0; position < total; position++)
        {
            var spreadTurn = s < spread.Count && (r >= rest.Count || position >= s * total / spread.Count);
            merged.Add(spreadTurn ? spread[s++] : rest[r++]);
        }

        return merged;
    }
}
