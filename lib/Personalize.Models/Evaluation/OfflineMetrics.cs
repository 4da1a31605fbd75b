namespace Personalize.Models.Evaluation;

/// <summary>
/// Personalize's offline metrics for one test user (personalize-api.md §6): position 1 is the top, a relevant item is
/// one in the user's held-out newest interactions.
/// </summary>
public static class OfflineMetrics
{
    public const string Coverage = "coverage";
    public const string MeanReciprocalRankAt25 = "mean_reciprocal_rank_at_25";
    public const string PrecisionAt25 = "precision_at_25";

    public static readonly int[] Cutoffs = [5, 10, 25];

    public static string NdcgName(int k) => $"normalized_discounted_cumulative_gain_at_{k}";

    public static string PrecisionName(int k) => $"precision_at_{k}";

    /// <summary>
    /// DCG of the top k (a relevant item at position p weighs 1/log(1+p)) over the ideal DCG, where the ideal puts
    /// min(|relevant|, k) relevant items first. The log base cancels.
    /// </summary>
    public static double Ndcg(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return 0;
        }

        double dcg = 0;
        for (var p = 1; p <= Math.Min(k, recommended.Count); p++)
        {
            if (relevant.Contains(recommended[p - 1]))
            {
                dcg += 1 / Math.Log(1 + p);
            }
        }

        double ideal = 0;
        for (var p = 1; p <= Math.Min(k, relevant.Count); p++)
        {
            ideal += 1 / Math.Log(1 + p);
        }

        return dcg / ideal;
    }

    /// <summary>Relevant items in the top k, divided by k (not by the list length: a short list is penalised).</summary>
    public static double Precision(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k) =>
        (double)recommended.Take(k).Count(relevant.Contains) / k;

    /// <summary>1 / rank of the first relevant item within the top k, or 0.</summary>
    public static double ReciprocalRank(IReadOnlyList<string> recommended, IReadOnlySet<string> relevant, int k)
    {
        for (var p = 1; p <= Math.Min(k, recommended.Count); p++)
        {
            if (relevant.Contains(recommended[p - 1]))
            {
                return 1.0 / p;
            }
        }

        return 0;
    }
}
