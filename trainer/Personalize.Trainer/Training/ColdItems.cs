using System.Globalization;
using Personalize.Models.Artifacts;
using Personalize.Models.Training;

namespace Personalize.Trainer.Training;

/// <summary>
/// aws-hrnn-coldstart's definition of a cold item: fewer than cold_start_max_interactions interactions and younger
/// than cold_start_max_duration days, measured from the newest item's creation (latestItem) or from now
/// (currentTime). An item's age comes from CREATION_TIMESTAMP, else its first interaction; an item with neither
/// is new.
/// </summary>
internal static class ColdItems
{
    public static bool[] Find(UserSequences data, TrainingData source, IReadOnlyDictionary<string, string> hyperParameters, DateTimeOffset now)
    {
        var maxInteractions = int.Parse(hyperParameters.GetValueOrDefault("cold_start_max_interactions") ?? "15", CultureInfo.InvariantCulture);
        var maxDays = double.Parse(hyperParameters.GetValueOrDefault("cold_start_max_duration") ?? "5", CultureInfo.InvariantCulture);
        var fromNow = string.Equals(hyperParameters.GetValueOrDefault("cold_start_relative_from"), "currentTime", StringComparison.OrdinalIgnoreCase);

        var counts = new int[data.ItemIds.Count];
        var rows = data.ItemIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
        foreach (var interaction in source.Interactions)
        {
            if (rows.TryGetValue(interaction.ItemId, out var row))
            {
                counts[row]++;
            }
        }

        var created = Created(data, source, now);
        var reference = fromNow ? now.ToUnixTimeSeconds() : created.DefaultIfEmpty(0).Max();
        return Enumerable.Range(0, data.ItemIds.Count)
            .Select(row => counts[row] < maxInteractions && (reference - created[row]) / 86400.0 < maxDays)
            .ToArray();
    }

    /// <summary>Each item's creation time (epoch seconds): CREATION_TIMESTAMP, else its first interaction, else the newest data.</summary>
    public static long[] Created(UserSequences data, TrainingData source, DateTimeOffset now)
    {
        var firstSeen = new long?[data.ItemIds.Count];
        var rows = data.ItemIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
        foreach (var interaction in source.Interactions)
        {
            if (rows.TryGetValue(interaction.ItemId, out var row))
            {
                firstSeen[row] = firstSeen[row] is { } seen ? Math.Min(seen, interaction.Timestamp) : interaction.Timestamp;
            }
        }

        return data.ItemIds.Select((id, row) =>
            source.ItemCreation.TryGetValue(id, out var time) ? time : firstSeen[row] ?? data.MaxTimestamp ?? now.ToUnixTimeSeconds()).ToArray();
    }

    /// <summary>The item_age_days tensor: days from each item's creation to the newest interaction (never negative), for exploration.</summary>
    public static SafeTensor AgeDays(UserSequences data, TrainingData source, DateTimeOffset now)
    {
        var newest = data.MaxTimestamp ?? now.ToUnixTimeSeconds();
        return SafeTensor.FromFloats(Created(data, source, now).Select(created => (float)Math.Max(0, (newest - created) / 86400.0)).ToArray(), data.ItemIds.Count);
    }
}
