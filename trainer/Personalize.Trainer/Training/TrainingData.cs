using Personalize.Models.Training;

namespace Personalize.Trainer.Training;

/// <summary>
/// What training reads from a dataset group, already filtered by eventType / eventValueThreshold: interactions,
/// categorical metadata tokens ("FIELD=value") per item and per user, item creation times, and the catalogue.
/// </summary>
internal sealed class TrainingData
{
    public required IReadOnlyList<Interaction> Interactions { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> ItemTokens { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> UserTokens { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>CREATION_TIMESTAMP (epoch seconds) of items that have one.</summary>
    public IReadOnlyDictionary<string, long> ItemCreation { get; init; } = new Dictionary<string, long>();

    /// <summary>Every item of the Items dataset, including those nobody interacted with yet.</summary>
    public IReadOnlyList<string> CatalogueItems { get; init; } = [];

    /// <summary>Real-time events left out because they name no item (PutEvents accepts them; nothing can learn from them).</summary>
    public long EventsWithoutItem { get; init; }
}
