using System.Collections.Concurrent;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Filters;
using Personalize.Models.Scoring;

namespace Personalize.Runtime.Serving;

/// <summary>
/// Everything one loaded campaign serves from: the model, the dataset group's filters, item and user metadata, and
/// the users' real-time activity. Read by every request; changed by events (local or from peers).
/// </summary>
public sealed class CampaignState
{
    private readonly Dictionary<string, FilterExpression> _filters;
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _users = new(StringComparer.Ordinal);
    private readonly Lock _itemsGate = new();
    private ItemTable _items;

    public CampaignState(RuntimeConfig config, ModelArtifact artifact, IRecommender recommender)
    {
        Config = config;
        Recommender = recommender;
        // Personalize uses itemExplorationConfig with user-personalization only; other campaigns serve without it.
        Exploration = RecipeType == "USER_PERSONALIZATION"
            ? ItemExploration.Create(config.CampaignConfig.ItemExplorationConfig, "campaignConfig.itemExplorationConfig", artifact)
            : null;
        _items = ItemTable.Create(artifact.Vocabulary.Items);
        Activity = new UserActivity(Math.Max(1, config.Realtime.MaxHistoryPerUser));
        BulkHistory = new UserActivity(Math.Max(1, config.Realtime.MaxHistoryPerUser));
        _filters = new Dictionary<string, FilterExpression>(StringComparer.Ordinal);
        foreach (var filter in config.Filters)
        {
            try
            {
                _filters[filter.FilterArn] = FilterExpression.Parse(filter.FilterExpression);
            }
            catch (FilterParseException e)
            {
                throw new InvalidOperationException($"runtime config: filter {filter.FilterArn}: {e.Message}", e);
            }
        }
    }

    public RuntimeConfig Config { get; }

    public IRecommender Recommender { get; }

    /// <summary>The campaign's item exploration, or null when it has none.</summary>
    public ItemExploration? Exploration { get; }

    public ModelManifest Manifest => Recommender.Manifest;

    public string RecipeType => Manifest.RecipeType;

    public ItemTable Items => Volatile.Read(ref _items);

    /// <summary>Real-time interactions since training (this replica's and its peers').</summary>
    public UserActivity Activity { get; }

    /// <summary>Imported (bulk) interactions with their event types, loaded only when a filter reads Interactions.</summary>
    public UserActivity BulkHistory { get; }

    public bool FiltersReadInteractions => _filters.Values.Any(f => f.UsesInteractions);

    public bool TryGetFilter(string filterArn, out FilterExpression filter) => _filters.TryGetValue(filterArn, out filter!);

    public IReadOnlyDictionary<string, string>? UserMetadata(string? userId) =>
        userId is not null && _users.TryGetValue(userId, out var columns) ? columns : null;

    /// <summary>PutItems (local or a peer's): the new fields replace the old ones of the same name.</summary>
    public void UpsertItems(IReadOnlyCollection<ItemUpdate> records)
    {
        lock (_itemsGate)
        {
            Volatile.Write(ref _items, _items.With(records));
        }
    }

    /// <summary>PutUsers (local or a peer's): merged into what is known of the user.</summary>
    public void UpsertUser(string userId, IReadOnlyDictionary<string, string?> columns) =>
        _users.AddOrUpdate(
            userId,
            _ => Merge(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), columns),
            (_, old) => Merge(new Dictionary<string, string>(old, StringComparer.OrdinalIgnoreCase), columns));

    private static Dictionary<string, string> Merge(Dictionary<string, string> target, IReadOnlyDictionary<string, string?> columns)
    {
        foreach (var (name, value) in columns)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = value;
            }
        }

        return target;
    }
}
