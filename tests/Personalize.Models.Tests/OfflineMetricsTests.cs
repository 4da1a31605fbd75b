using Personalize.Models.Evaluation;

namespace Personalize.Models.Tests;

public sealed class OfflineMetricsTests
{
    [Fact]
    public void Ndcg_ReproducesTheWorkedExample_RelevantAtPositions2And5()
    {
        List<string> recommended = ["a", "r1", "b", "c", "r2"];
        HashSet<string> relevant = ["r1", "r2"];

        Assert.Equal(0.6241, OfflineMetrics.Ndcg(recommended, relevant, 5), 4);
    }

    [Fact]
    public void MeanReciprocalRank_ReproducesTheWorkedExample_FirstHitsAt4And2And6()
    {
        var accumulator = new MetricsAccumulator();
        accumulator.Add("u1", ["x", "x2", "x3", "hit", "hit"], new HashSet<string> { "hit" });
        accumulator.Add("u2", ["y", "hit", "hit"], new HashSet<string> { "hit" });
        accumulator.Add("u3", ["z1", "z2", "z3", "z4", "z5", "hit"], new HashSet<string> { "hit" });

        var metrics = accumulator.Result(catalogueItems: 20);

        Assert.Equal(0.3056, metrics[OfflineMetrics.MeanReciprocalRankAt25], 4);
        // Each user's NDCG@10, for comparing two models user by user, averages to the reported figure.
        Assert.Equal(1 / Math.Log2(7), accumulator.Ndcg10ByUser["u3"], 10);
        Assert.Equal(metrics[OfflineMetrics.NdcgName(10)], accumulator.Ndcg10ByUser.Values.Average(), 10);
    }

    [Fact]
    public void HandComputedUser_GivesPrecisionNdcgAndCoverage()
    {
        // 25 recommendations, relevant {i0, i3, i30}: hits at positions 1 and 4; i30 is outside the top 25.
        var recommended = Enumerable.Range(0, 25).Select(i => $"i{i}").ToList();
        HashSet<string> relevant = ["i0", "i3", "i30"];
        var accumulator = new MetricsAccumulator();
        accumulator.Add("u", recommended, relevant);

        var metrics = accumulator.Result(catalogueItems: 100);

        Assert.Equal(2.0 / 5, metrics["precision_at_5"], 10);
        Assert.Equal(2.0 / 10, metrics["precision_at_10"], 10);
        Assert.Equal(2.0 / 25, metrics["precision_at_25"], 10);
        var ideal3 = (1 / Math.Log(2)) + (1 / Math.Log(3)) + (1 / Math.Log(4));
        Assert.Equal(((1 / Math.Log(2)) + (1 / Math.Log(5))) / ideal3, metrics["normalized_discounted_cumulative_gain_at_5"], 10);
        Assert.Equal(1.0, metrics["mean_reciprocal_rank_at_25"], 10);
        Assert.Equal(0.25, metrics["coverage"], 10);
    }

    [Fact]
    public void Precision_DividesByK_EvenWhenTheListIsShorter() =>
        Assert.Equal(0.2, OfflineMetrics.Precision(["a"], new HashSet<string> { "a" }, 5), 10);
}
