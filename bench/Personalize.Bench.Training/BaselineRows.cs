using System.Diagnostics;
using System.Globalization;
using Personalize.Api;
using Personalize.Bench.Baselines;
using Personalize.Data.Generation;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

/// <summary>
/// `--baselines`: the reference baselines (EASE, item-kNN), each tuned on validation users held out from the training
/// users (never on the test users), then scored on the held-out test users aws-hrnn is scored on: the same history
/// filters, the same seeded split, the same metric code. One row each with seen items kept (as the recipes answer) and
/// one with them excluded (the usual protocol for these baselines, each tuned on its own). The generator's oracle
/// (<see cref="GeneratorOracle"/>) gives the ceiling on the same users.
/// </summary>
internal sealed record BenchUsers(UserSequences All, EvaluationSplit Split, EvaluationSplit Validation, int Catalogue);

internal static class BaselineRows
{
    /// <summary>aws-hrnn's users (its default history filters) and its seeded split, with validation users held out of the training users.</summary>
    public static BenchUsers Users(TrainingData data, int seed)
    {
        var recipe = Recipes.Find(Recipes.Hrnn)!;
        var all = RecipeTrainer.FilteredUsers(recipe, recipe.Resolve(null, null), UserSequences.Build(data.Interactions));
        var (split, validation) = RecipeTrainer.Split(all, seed, validate: true);
        return new BenchUsers(all, split, validation!, data.CatalogueSize());
    }

    /// <summary>
    /// A recipe's metrics on the same test users with the items each user already has filtered out (what the filter
    /// EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*) gives a campaign), so it compares with the baselines' seen-excluded rows.
    /// </summary>
    public static void WriteSeenExcluded(string recipe, Dictionary<string, double> metrics) => Row($"{recipe} (seen excluded)", 0, metrics);

    /// <param name="generator">The generator the data came from, for the oracle; null for a user's own data.</param>
    /// <returns>The tuned baselines' results, for <see cref="WritePaired"/>.</returns>
    public static IReadOnlyList<BaselineResult> Write(BenchUsers users, SyntheticDataGenerator? generator, IReadOnlyList<string> baselines, IReadOnlyList<double> lambdas, IReadOnlyList<int> neighbours)
    {
        var tuned = new List<BaselineResult>();
        var (all, split, validation, catalogue) = users;
        Console.Error.WriteLine($"baselines: {split.Training.UserIds.Count} training users ({validation!.Training.UserIds.Count} when tuning), {validation.Test.Count} validation users, {split.Test.Count} test users");
        foreach (var name in baselines)
        {
            if (name == "oracle")
            {
                if (generator is null)
                {
                    throw new ArgumentException("--baselines oracle needs generated data: the oracle is the generator's own process, and --csv data has none");
                }

                foreach (var habitChains in new[] { true, false })
                {
                    var clock = Stopwatch.StartNew();
                    var metrics = GeneratorOracle.Evaluate(generator, all, split.Test, catalogue, habitChains);
                    Row($"generator's oracle{(habitChains ? string.Empty : ", tastes and popularity only")}", clock.Elapsed.TotalSeconds, metrics);
                }

                continue;
            }

            var results = name switch
            {
                "ease" => BaselineEvaluation.Tune("ease", lambdas, Ease.Fit, all, split, validation, catalogue, Console.Error.WriteLine),
                "item-knn" => BaselineEvaluation.Tune("item-knn", neighbours, ItemKnn.Fit, all, split, validation, catalogue, Console.Error.WriteLine),
                _ => throw new ArgumentException($"unknown baseline {name} (ease, item-knn, oracle)"),
            };
            tuned.AddRange(results);
            foreach (var result in results)
            {
                var setting = name == "ease" ? $"λ={result.Setting}" : $"k={result.Setting}";
                Row($"{name} ({setting}{(result.ExcludesSeen ? ", seen excluded" : string.Empty)})", result.FitSeconds, result.Metrics);
            }
        }

        return tuned;
    }

    /// <summary>
    /// Each recipe against the tuned baseline <paramref name="reference"/> (seen items excluded on both sides) user by
    /// user on the test users both scored: the mean gain in NDCG@10 and its standard error, so that a ratio on the small
    /// shapes' few test users is read with its noise.
    /// </summary>
    public static void WritePaired(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> recipes, BaselineResult reference)
    {
        Console.WriteLine();
        Console.WriteLine($"| recipe (seen excluded) | against {reference.Name} ({reference.Setting}, seen excluded): NDCG@10 gain per test user | standard error | × {reference.Name} | users paired |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (recipe, byUser) in recipes)
        {
            var shared = byUser.Keys.Where(reference.Ndcg10ByUser.ContainsKey).Order(StringComparer.Ordinal).ToList();
            var gain = PairedGain.Of([.. shared.Select(u => byUser[u])], [.. shared.Select(u => reference.Ndcg10ByUser[u])]);
            var referenceMean = shared.Count == 0 ? 0 : shared.Average(u => reference.Ndcg10ByUser[u]);
            var ratio = referenceMean == 0 ? "-" : ((referenceMean + gain.Gain) / referenceMean).ToString("F3", CultureInfo.InvariantCulture);
            Console.WriteLine(FormattableString.Invariant($"| {recipe} | {gain.Gain:+0.0000;-0.0000} | {gain.StandardError:F4} | {ratio} | {gain.Users} |"));
        }
    }

    /// <summary>A row of the recipes' table: no epochs or event rate, the final fit's seconds (- for a served recipe's second scoring).</summary>
    private static void Row(string name, double seconds, Dictionary<string, double> m)
    {
        string F(string key) => m[key].ToString("F4", CultureInfo.InvariantCulture);
        Console.WriteLine(
            $"| {name} | - | - | {(seconds > 0 ? seconds.ToString("F1", CultureInfo.InvariantCulture) : "-")} | {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} | " +
            $"{F("coverage")} | {F("mean_reciprocal_rank_at_25")} | {F("normalized_discounted_cumulative_gain_at_5")} | {F("normalized_discounted_cumulative_gain_at_10")} | " +
            $"{F("normalized_discounted_cumulative_gain_at_25")} | {F("precision_at_5")} | {F("precision_at_10")} | {F("precision_at_25")} |");
    }
}
