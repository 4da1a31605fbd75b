using Personalize.Models.Training;

namespace Personalize.Trainer.Training;

/// <summary>
/// What training reads from a dataset group, already filtered by eventType / eventValueThreshold: interactions,
/// categorical metadata tokens ("FIELD=value") per item and per user, item creation times, and the catalogue.
/// </summary>
internal sealed class TrainingData
{
    public required IReadOnlyList<Interaction> Interactions { get; init; }

    /// <summary>
    /// The events the eventType / eventValueThreshold filter kept out of training. Training never sees them, but they
    /// are their users' history in the served model, as real-time events of every type are at the runtime.
    /// </summary>
    public IReadOnlyList<Interaction> ExcludedInteractions { get; init; } = [];

    /// <summary>Real-time events with no item (page views and the like): nothing to train on, counted for the report.</summary>
    public long EventsWithoutItem { get; init; }

    /// <summary>
    /// The impressions of the interactions training uses (aws-user-personalization trains on them): explicit
    /// (IMPRESSION), else implicit (the list the event's RECOMMENDATION_ID was served with).
    /// </summary>
    public IReadOnlyList<ShownItems> Impressions { get; init; } = [];

    /// <summary>Interactions whose impressions are the list their recommendationId names (no IMPRESSION of their own).</summary>
    public long ImplicitImpressions { get; init; }

    /// <summary>
    /// Interactions with a recommendationId and no IMPRESSION whose list was not found (never served here, past the
    /// served lists' retention, lost in a crash) or was served to another user: they train without impressions.
    /// </summary>
    public long UnresolvedRecommendationIds { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> ItemTokens { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> UserTokens { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>CREATION_TIMESTAMP (epoch seconds) of items that have one.</summary>
    public IReadOnlyDictionary<string, long> ItemCreation { get; init; } = new Dictionary<string, long>();

    /// <summary>Every item of the Items dataset, including those nobody interacted with yet.</summary>
    public IReadOnlyList<string> CatalogueItems { get; init; } = [];

    /// <summary>Unique items in the Interactions and Items datasets: the denominator of coverage.</summary>
    public int CatalogueSize() =>
        Interactions.Concat(ExcludedInteractions).Select(i => i.ItemId).Concat(CatalogueItems).Distinct(StringComparer.Ordinal).Count();
}
