using System.Globalization;
using System.Text.Json;
using Personalize.Api;
using Personalize.Jobs;
using Personalize.Models.Evaluation;

namespace Personalize.Trainer.Training;

/// <summary>What a train job produced: the winning model, its recipe and hyper-parameters, and every candidate's metrics.</summary>
internal sealed record SolutionOutcome(TrainedModel Best, string Recipe, IReadOnlyDictionary<string, string> HyperParameters, Dictionary<string, Dictionary<string, double>> Candidates)
{
    /// <summary>Each candidate's hyper-parameters, by the same names as <see cref="Candidates"/> (for the training report).</summary>
    public Dictionary<string, IReadOnlyDictionary<string, string>> CandidateSettings { get; init; } = [];
}

/// <summary>
/// A solution's training: one recipe, or AutoML over the HRNN recipes (best by autoMLConfig.metricName, default
/// precision_at_25), or HPO: a bounded, seeded random search over the given ranges (the recipe defaults are always
/// the first candidate), best by hpoObjective.
/// </summary>
internal sealed class SolutionTrainer(RecipeTrainer recipes, int seed)
{
    public const int DefaultHpoTrainings = 4;

    public async Task<SolutionOutcome> TrainAsync(TrainJobSpec spec, TrainingData data, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<string, Dictionary<string, double>>();
        var settings = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (spec.PerformAutoML)
        {
            var metric = spec.AutoMLMetric ?? OfflineMetrics.PrecisionAt25;
            var names = spec.AutoMLRecipes.Count > 0 ? spec.AutoMLRecipes : Recipes.AutoMLCandidates;
            SolutionOutcome? best = null;
            foreach (var name in names)
            {
                var recipe = Find(name, "autoMLConfig.recipeList");
                var hyperParameters = recipe.Resolve(null, null);
                var model = await recipes.TrainAsync(recipe, hyperParameters, data, cancellationToken);
                candidates[recipe.Name] = model.Metrics;
                settings[recipe.Name] = hyperParameters;
                if (best is null || Metric(model, metric) > Metric(best.Best, metric))
                {
                    best = new SolutionOutcome(model, recipe.Name, hyperParameters, candidates) { CandidateSettings = settings };
                }
            }

            return best ?? throw new InvalidDataException("autoMLConfig.recipeList: no candidate recipes.");
        }

        var chosen = Find(spec.Recipe ?? string.Empty, "recipeArn");
        var problems = chosen.Validate(spec.AlgorithmHyperParameters, spec.FeatureTransformationParameters);
        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join("; ", problems));
        }

        var resolved = chosen.Resolve(spec.AlgorithmHyperParameters, spec.FeatureTransformationParameters);
        if (!spec.PerformHPO)
        {
            var model = await recipes.TrainAsync(chosen, resolved, data, cancellationToken);
            return new SolutionOutcome(model, chosen.Name, resolved, candidates);
        }

        return await SearchAsync(chosen, resolved, spec.HpoConfigJson, data, candidates, settings, cancellationToken);
    }

    private async Task<SolutionOutcome> SearchAsync(
        Recipe recipe, IReadOnlyDictionary<string, string> defaults, string? hpoConfigJson, TrainingData data,
        Dictionary<string, Dictionary<string, double>> candidates, Dictionary<string, IReadOnlyDictionary<string, string>> settings, CancellationToken cancellationToken)
    {
        HpoConfig config;
        try
        {
            config = JsonSerializer.Deserialize<HpoConfig>(hpoConfigJson ?? "{}", JobJson.Options) ?? new HpoConfig();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"solutionConfig.hpoConfig: not valid JSON ({e.Message}).", e);
        }

        var trainings = int.TryParse(config.HpoResourceConfig?.MaxNumberOfTrainingJobs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)
            ? Math.Clamp(max, 1, 40)
            : DefaultHpoTrainings;
        var metric = config.HpoObjective?.MetricName ?? OfflineMetrics.PrecisionAt25;
        var minimize = string.Equals(config.HpoObjective?.Type, "Minimize", StringComparison.OrdinalIgnoreCase);
        var random = new Random(seed);
        SolutionOutcome? best = null;
        for (var trial = 0; trial < trainings; trial++)
        {
            var values = new Dictionary<string, string>(defaults);
            if (trial > 0)
            {
                Sample(config.AlgorithmHyperParameterRanges, recipe, values, random);
            }

            var model = await recipes.TrainAsync(recipe, values, data, cancellationToken);
            candidates[$"{recipe.Name}#{trial}"] = model.Metrics;
            settings[$"{recipe.Name}#{trial}"] = values;
            var better = best is null || (minimize ? Metric(model, metric) < Metric(best.Best, metric) : Metric(model, metric) > Metric(best.Best, metric));
            if (better)
            {
                best = new SolutionOutcome(model, recipe.Name, values, candidates) { CandidateSettings = settings };
            }
        }

        return best!;
    }

    /// <summary>One point of the search space; each range is checked against the recipe so a typo never trains silently.</summary>
    private static void Sample(HyperParameterRanges? ranges, Recipe recipe, Dictionary<string, string> values, Random random)
    {
        string Known(string name, string kind) =>
            recipe.HyperParameters.Any(h => h.Name == name && h.Tunable)
                ? name
                : throw new InvalidDataException($"solutionConfig.hpoConfig.algorithmHyperParameterRanges.{kind}: {name} is not a tunable parameter of {recipe.Name}.");

        foreach (var range in ranges?.IntegerHyperParameterRanges ?? [])
        {
            values[Known(range.Name, "integerHyperParameterRanges")] =
                random.Next(range.MinValue, range.MaxValue + 1).ToString(CultureInfo.InvariantCulture);
        }

        foreach (var range in ranges?.ContinuousHyperParameterRanges ?? [])
        {
            values[Known(range.Name, "continuousHyperParameterRanges")] =
                (range.MinValue + (random.NextDouble() * (range.MaxValue - range.MinValue))).ToString(CultureInfo.InvariantCulture);
        }

        foreach (var range in ranges?.CategoricalHyperParameterRanges ?? [])
        {
            if (range.Values.Count > 0)
            {
                values[Known(range.Name, "categoricalHyperParameterRanges")] = range.Values[random.Next(range.Values.Count)];
            }
        }

        // A range wider than the recipe allows must not train out-of-range values.
        foreach (var definition in recipe.HyperParameters.Where(h => h.Tunable))
        {
            if (definition.Check(values[definition.Name]) is { } problem)
            {
                throw new InvalidDataException($"solutionConfig.hpoConfig.algorithmHyperParameterRanges: {definition.Name} {problem}.");
            }
        }
    }

    private static Recipe Find(string name, string field) =>
        Recipes.Find(name) ?? throw new InvalidDataException(
            $"{field}: \"{name}\" is not a recipe this trainer knows ({string.Join(", ", Recipes.All.Select(r => r.Name))}).");

    private static double Metric(TrainedModel model, string metric) =>
        model.Metrics.TryGetValue(metric, out var value)
            ? value
            : throw new InvalidDataException($"metricName: \"{metric}\" is not one of {string.Join(", ", model.Metrics.Keys)}.");
}
