using Personalize.Models.Artifacts;

namespace Personalize.Models.Scoring;

/// <summary>
/// A loaded model that answers the runtime's, batch inference's and evaluation's questions with the same code.
/// Thread-safe: one instance serves concurrent requests. Recommendations and related items are asynchronous because
/// a query may wait for a batched pass over the item table (<see cref="ScoringBatcher"/>) without holding a thread;
/// ranking and popular items never wait.
/// </summary>
public interface IRecommender
{
    ModelManifest Manifest { get; }

    /// <summary>True when answers carry scores (the HRNN family); SIMS and popularity return none, as in Personalize.</summary>
    bool ReturnsScores { get; }

    /// <summary>The request `context` fields (upper case) the model was trained with; empty when context cannot change its answers.</summary>
    IReadOnlySet<string> ContextFields { get; }

    bool IsKnownItem(string itemId);

    bool IsKnownUser(string userId);

    /// <summary>The user's history as the model saw it in training (newest last, capped), or empty when unknown.</summary>
    IReadOnlyList<string> TrainedHistory(string userId);

    /// <summary>Recommendations for a user (USER_PERSONALIZATION; POPULAR_ITEMS gives everyone the popular list). Scores: softmax over the catalogue.</summary>
    ValueTask<IReadOnlyList<RecommendedItem>> RecommendAsync(RecommendationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Items related to request.ItemId (RELATED_ITEMS); popular items fill in for unknown or sparse items.</summary>
    ValueTask<IReadOnlyList<RecommendedItem>> RelatedItemsAsync(RecommendationRequest request, CancellationToken cancellationToken = default);

    /// <summary>request.InputList ordered for the user; scores are a softmax over the known listed items; unknown items follow, unscored, in input order.</summary>
    IReadOnlyList<RecommendedItem> Rank(RecommendationRequest request);

    /// <summary>The most popular items (unique users in training) that pass the request's rules; no scores.</summary>
    IReadOnlyList<RecommendedItem> Popular(RecommendationRequest request);
}
