namespace Personalize.Models.Scoring;

/// <summary>
/// What a caller (runtime, batch inference, evaluation) asks a recommender. Which fields matter depends on the call:
/// Recommend reads UserId, RecentItems and Context, RelatedItems reads ItemId, Rank reads UserId, RecentItems, InputList and Context.
/// </summary>
public sealed record RecommendationRequest
{
    public const int DefaultNumResults = 25;
    public const int MaxNumResults = 500;

    /// <summary>The user; their history from training is looked up in the model. Null or unknown: no trained history.</summary>
    public string? UserId { get; init; }

    /// <summary>Item ids the user interacted with after training (real-time events), oldest first; appended to the trained history.</summary>
    public IReadOnlyList<string> RecentItems { get; init; } = [];

    /// <summary>The item to find related items for (RELATED_ITEMS).</summary>
    public string? ItemId { get; init; }

    /// <summary>The items to rank (PERSONALIZED_RANKING).</summary>
    public IReadOnlyList<string> InputList { get; init; } = [];

    public int NumResults { get; init; } = DefaultNumResults;

    /// <summary>Contextual metadata of the request (field to value, such as DEVICE); models trained with context use it.</summary>
    public IReadOnlyDictionary<string, string>? Context { get; init; }

    /// <summary>
    /// The filter hook: items for which this returns false are never returned. Null allows every item. As in
    /// Personalize, no recipe leaves out the items a user already interacted with unless a filter says so
    /// (EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*)), so evaluation, batch and the runtime answer alike.
    /// </summary>
    public Func<string, bool>? IsCandidate { get; init; }
}
