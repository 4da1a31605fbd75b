namespace Personalize.Models.Training;

/// <summary>
/// The recipes' percentile featurization: users whose history length falls outside
/// [min_user_history_length_percentile, max_user_history_length_percentile] of all users' lengths are left out of
/// training (very long histories are usually bots or shared accounts); SIMS does the same for item interaction counts.
/// </summary>
public static class HistoryLengthFilter
{
    public static UserSequences FilterUsers(UserSequences data, double minPercentile, double maxPercentile)
    {
        if (data.Sequences.Length == 0)
        {
            return data;
        }

        var lengths = data.Sequences.Select(s => s.Length).Order().ToArray();
        var low = Percentile(lengths, minPercentile);
        var high = Percentile(lengths, maxPercentile);
        var keep = Enumerable.Range(0, data.Sequences.Length).Where(u => data.Sequences[u].Length >= low && data.Sequences[u].Length <= high).ToList();
        return data.With(keep.Select(u => data.UserIds[u]).ToList(), keep.Select(u => data.Sequences[u]).ToArray());
    }

    /// <summary>Drops interactions with items whose interaction count falls outside the given percentiles.</summary>
    public static UserSequences FilterItems(UserSequences data, double minPercentile, double maxPercentile)
    {
        var counts = new int[data.ItemIds.Count];
        foreach (var item in data.Sequences.SelectMany(s => s))
        {
            counts[item]++;
        }

        var seen = counts.Where(c => c > 0).Order().ToArray();
        if (seen.Length == 0)
        {
            return data;
        }

        var low = Percentile(seen, minPercentile);
        var high = Percentile(seen, maxPercentile);
        var sequences = data.Sequences.Select(s => s.Where(item => counts[item] >= low && counts[item] <= high).ToArray()).ToArray();
        return data.With(data.UserIds, sequences, sameEvents: false);
    }

    /// <summary>Nearest-rank percentile of sorted values; 0 gives the minimum, 1 the maximum.</summary>
    public static int Percentile(int[] sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(Math.Clamp(percentile, 0, 1) * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
