using Personalize.Models.Artifacts;

namespace Personalize.Models.Training;

/// <summary>
/// aws-trending-now's time window: trend_discovery_frequency is the interval over which growth is measured. An
/// item's trend is its interactions in the latest interval minus those in the one before. Both intervals are cut
/// into slots, so the window slides a slot at a time as events arrive instead of jumping a whole interval.
/// </summary>
public static class TrendWindow
{
    public const string Parameter = "trend_discovery_frequency";
    public const string Default = "3 hours";
    public const int SlotsPerInterval = 6;

    /// <summary>Slots the artifact and the runtime keep: the latest interval and the one before.</summary>
    public const int Slots = 2 * SlotsPerInterval;

    /// <summary>The values Personalize accepts, with their length in seconds.</summary>
    public static IReadOnlyDictionary<string, long> Frequencies { get; } = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["30 minutes"] = 30 * 60,
        ["1 hour"] = 60 * 60,
        ["3 hours"] = 3 * 60 * 60,
        ["1 day"] = 24 * 60 * 60,
    };

    /// <summary>Seconds per slot for a manifest's (or hyper-parameters') trend_discovery_frequency.</summary>
    public static long SlotSeconds(IReadOnlyDictionary<string, string> hyperParameters)
    {
        var frequency = hyperParameters.GetValueOrDefault(Parameter) ?? Default;
        return Frequencies.TryGetValue(frequency, out var seconds)
            ? seconds / SlotsPerInterval
            : throw new InvalidDataException($"{Parameter} \"{frequency}\" is not one of {string.Join(", ", Frequencies.Keys)}.");
    }

    /// <summary>The absolute slot number of a timestamp (epoch seconds).</summary>
    public static long SlotOf(long timestamp, long slotSeconds) => (long)Math.Floor(timestamp / (double)slotSeconds);

    /// <summary>Latest interval's count minus the previous interval's, from per-slot counts oldest first.</summary>
    public static float Trend(ReadOnlySpan<float> slots) => Recent(slots) - Sum(slots[..SlotsPerInterval]);

    public static float Recent(ReadOnlySpan<float> slots) => Sum(slots[SlotsPerInterval..]);

    private static float Sum(ReadOnlySpan<float> values)
    {
        var sum = 0f;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }
}
