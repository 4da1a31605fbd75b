namespace Personalize.Models.Evaluation;

/// <summary>Averages the per-user metrics over test users and tracks coverage.</summary>
public sealed class MetricsAccumulator
{
    private readonly Dictionary<string, double> _sums = [];
    private readonly HashSet<string> _recommendedItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _ndcg10ByUser = new(StringComparer.Ordinal);
    private int _users;

    /// <summary>
    /// Each user's NDCG@10, so that two models scored on the same users can be compared user by user: the difference's
    /// standard error, not two means' spread, says whether one is ahead.
    /// </summary>
    public IReadOnlyDictionary<string, double> Ndcg10ByUser => _ndcg10ByUser;

    public void Add(string userId, IReadOnlyList<string> recommended, IReadOnlySet<string> relevant)
    {
        _users++;
        _ndcg10ByUser[userId] = OfflineMetrics.Ndcg(recommended, relevant, 10);
        Accumulate(OfflineMetrics.MeanReciprocalRankAt25, OfflineMetrics.ReciprocalRank(recommended, relevant, 25));
        foreach (var k in OfflineMetrics.Cutoffs)
        {
            Accumulate(OfflineMetrics.NdcgName(k), OfflineMetrics.Ndcg(recommended, relevant, k));
            Accumulate(OfflineMetrics.PrecisionName(k), OfflineMetrics.Precision(recommended, relevant, k));
        }

        _recommendedItems.UnionWith(recommended.Take(25));
    }

    /// <summary>
    /// The averages, plus coverage: distinct items recommended to the test users divided by all unique items in the
    /// catalogue (Interactions and Items datasets).
    /// </summary>
    public Dictionary<string, double> Result(int catalogueItems)
    {
        var result = new Dictionary<string, double>
        {
            [OfflineMetrics.Coverage] = catalogueItems == 0 ? 0 : (double)_recommendedItems.Count / catalogueItems,
        };
        foreach (var name in new[] { OfflineMetrics.MeanReciprocalRankAt25 }
                     .Concat(OfflineMetrics.Cutoffs.Select(OfflineMetrics.NdcgName))
                     .Concat(OfflineMetrics.Cutoffs.Select(OfflineMetrics.PrecisionName)))
        {
            result[name] = _users == 0 ? 0 : _sums.GetValueOrDefault(name) / _users;
        }

        return result;
    }

    private void Accumulate(string name, double value) => _sums[name] = _sums.GetValueOrDefault(name) + value;
}
