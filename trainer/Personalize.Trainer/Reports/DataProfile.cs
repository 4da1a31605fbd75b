using Personalize.Models.Training;

namespace Personalize.Trainer.Reports;

/// <summary>
/// The shape of the data a version trained on: interactions per day, each item's interaction count (most popular
/// first, the long tail), how many interactions users have (history lengths), and the catalogue's size (items
/// interacted with or listed in the Items dataset), which coverage is a share of.
/// </summary>
internal sealed record DataProfile(
    long Interactions,
    int Users,
    int Items,
    int CatalogueItems,
    IReadOnlyList<(DateOnly Day, int Interactions)> PerDay,
    IReadOnlyList<int> ItemCounts,
    IReadOnlyList<int> HistoryLengths)
{
    public static DataProfile Of(IReadOnlyList<Interaction> interactions, IEnumerable<string> catalogue)
    {
        var perDay = interactions
            .GroupBy(i => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(i.Timestamp).UtcDateTime))
            .Select(g => (g.Key, g.Count()))
            .OrderBy(d => d.Key)
            .ToList();
        var itemCounts = interactions.GroupBy(i => i.ItemId, StringComparer.Ordinal).Select(g => g.Count()).OrderDescending().ToList();
        var historyLengths = interactions.GroupBy(i => i.UserId, StringComparer.Ordinal).Select(g => g.Count()).ToList();
        return new DataProfile(
            interactions.Count,
            historyLengths.Count,
            itemCounts.Count,
            interactions.Select(i => i.ItemId).Concat(catalogue).Distinct(StringComparer.Ordinal).Count(),
            perDay,
            itemCounts,
            historyLengths);
    }
}
