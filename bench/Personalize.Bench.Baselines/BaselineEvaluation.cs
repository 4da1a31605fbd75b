using System.Diagnostics;
using Personalize.Models.Evaluation;
using Personalize.Models.Training;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>
/// Scores and tunes a baseline with the recipes' own split and metric code, so a baseline row compares like for like
/// with a recipe row: the same held-out users, the same input and truth, Evaluator's list length and MetricsAccumulator.
/// </summary>
public static class BaselineEvaluation
{
    /// <summary>The offline metrics for <paramref name="users"/> (their input in, the top items out), as Evaluator.Evaluate computes them for a recipe.</summary>
    public static Dictionary<string, double> Evaluate(ItemItemModel model, UserSequences data, IReadOnlyList<TestUser> users, int catalogueItems, bool excludeSeen) =>
        Score(model, data, users, excludeSeen).Result(catalogueItems);

    /// <summary>What <see cref="Evaluate"/> averages, with each user's figures.</summary>
    public static MetricsAccumulator Score(ItemItemModel model, UserSequences data, IReadOnlyList<TestUser> users, bool excludeSeen)
    {
        var lists = model.Recommend(users.Select(u => u.Input).ToList(), Evaluator.NumResults, excludeSeen);
        var accumulator = new MetricsAccumulator();
        for (var u = 0; u < users.Count; u++)
        {
            accumulator.Add(users[u].UserId, lists[u].Select(row => data.ItemIds[row]).ToList(), users[u].Truth.Select(row => data.ItemIds[row]).ToHashSet(StringComparer.Ordinal));
        }

        return accumulator;
    }

    /// <summary>
    /// Fits each setting of <paramref name="grid"/> on the validation split's training users and keeps the one with the
    /// best NDCG@10 on its validation users (never the test users); then fits that setting on the test split's training
    /// users (those the recipes train on) and reports the test users. Two results: seen items kept (as the recipes
    /// answer) and seen items excluded (the usual protocol for these baselines), each tuned on its own.
    /// </summary>
    public static IReadOnlyList<BaselineResult> Tune<T>(
        string name, IReadOnlyList<T> grid, Func<Tensor, T, ItemItemModel> fit, UserSequences data, EvaluationSplit split, EvaluationSplit validation, int catalogueItems, Action<string>? log = null)
    {
        var ndcg = OfflineMetrics.NdcgName(10);
        var best = new (T Setting, Dictionary<string, double> Metrics)?[2];
        using (var gram = CoOccurrence.Gram(validation.Training))
        {
            foreach (var setting in grid)
            {
                var clock = Stopwatch.StartNew();
                using var model = fit(gram, setting);
                foreach (var excludeSeen in new[] { false, true })
                {
                    var metrics = Evaluate(model, data, validation.Test, catalogueItems, excludeSeen);
                    var slot = excludeSeen ? 1 : 0;
                    if (best[slot] is not { } current || metrics[ndcg] > current.Metrics[ndcg])
                    {
                        best[slot] = (setting, metrics);
                    }

                    log?.Invoke($"  {name} {setting}{(excludeSeen ? " seen excluded" : string.Empty)}: validation NDCG@10 {metrics[ndcg]:F4}, coverage {metrics[OfflineMetrics.Coverage]:F4} ({clock.Elapsed.TotalSeconds:F1} s)");
                }
            }
        }

        var results = new List<BaselineResult>();
        foreach (var excludeSeen in new[] { false, true })
        {
            var setting = best[excludeSeen ? 1 : 0]!.Value.Setting;
            var clock = Stopwatch.StartNew();
            using var gram = CoOccurrence.Gram(split.Training);
            using var model = fit(gram, setting);
            var seconds = clock.Elapsed.TotalSeconds;
            var scored = Score(model, data, split.Test, excludeSeen);
            results.Add(new BaselineResult(name, $"{setting}", excludeSeen, seconds, scored.Result(catalogueItems), scored.Ndcg10ByUser));
        }

        return results;
    }
}
