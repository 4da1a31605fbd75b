using Personalize.Data.Generation;
using Personalize.Models.Evaluation;
using Personalize.Models.Training;

namespace Personalize.Bench.Baselines;

/// <summary>
/// The ceiling of the bench's generated data: each test user's list is the items the generator itself makes most likely
/// in the user's truth window (<see cref="SyntheticDataGenerator.NextEventOdds"/>: the user's hidden tastes, the habit
/// chains and the popularity it drew), scored by the same metric code as the recipes. No model learnt from the data
/// knows these, so a recipe's NDCG@10 over this row says how much of what can be learnt it has learnt; without the
/// habit chains it is the part an order-free model (EASE, item-kNN) can reach for. The window's
/// length is the truth's (a model could infer it from the history's length, since the truth is the newest 10%).
/// </summary>
public static class GeneratorOracle
{
    /// <summary>
    /// Simulated windows per user. On the MovieLens-100K shape two seeds at 4,000 gave NDCG@10 0.5066 and 0.5095; 2,000
    /// keeps the MovieLens-1M shape's run to minutes (heavy users' windows are slow to draw without repeats).
    /// </summary>
    public const int Simulations = 2_000;

    public static Dictionary<string, double> Evaluate(SyntheticDataGenerator generator, UserSequences data, IReadOnlyList<TestUser> users, int catalogueItems, bool habitChains)
    {
        var accumulator = new MetricsAccumulator();
        foreach (var user in users)
        {
            var history = user.Input.Select(row => SyntheticDataGenerator.IndexOf(data.ItemIds[row])).ToList();
            var odds = generator.NextEventOdds(SyntheticDataGenerator.IndexOf(user.UserId), history, user.Truth.Length, Simulations, habitChains);
            var list = Enumerable.Range(0, odds.Length).Where(i => odds[i] > 0).OrderByDescending(i => odds[i]).ThenBy(i => i)
                .Take(Evaluator.NumResults).Select(SyntheticDataGenerator.ItemId).ToList();
            accumulator.Add(user.UserId, list, user.Truth.Select(row => data.ItemIds[row]).ToHashSet(StringComparer.Ordinal));
        }

        return accumulator.Result(catalogueItems);
    }
}
