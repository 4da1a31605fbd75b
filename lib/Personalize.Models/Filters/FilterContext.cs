namespace Personalize.Models.Filters;

/// <summary>One interaction of the request's user, as interaction filters see it (newest last).</summary>
public readonly record struct FilterInteraction(string ItemId, string EventType, double? EventValue, long Timestamp);

/// <summary>What a filter is evaluated against for one request.</summary>
public sealed class FilterContext(ItemTable items)
{
    public ItemTable Items { get; } = items;

    /// <summary>The user's recent interactions (bulk history plus real-time events).</summary>
    public IReadOnlyList<FilterInteraction> Interactions { get; init; } = [];

    /// <summary>The user's metadata (Users dataset columns), for IF CurrentUser conditions; null when unknown.</summary>
    public IReadOnlyDictionary<string, string>? CurrentUser { get; init; }

    /// <summary>The request's itemId (related-items recipes), for CurrentItem values.</summary>
    public string? CurrentItemId { get; init; }
}
