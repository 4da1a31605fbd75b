using System.Globalization;
using System.Text.Json;
using Personalize.Api;
using Personalize.Jobs;
using Personalize.Models.Evaluation;

namespace Personalize.Trainer.Training;

/// <summary>
/// What a train job produced: the winning model, its recipe and hyper-parameters, and every trial's test metrics (and,
/// for a search, the validation metrics it was chosen by, prefixed "validation_").
/// </summary>
internal sealed record SolutionOutcome(TrainedModel Best, string Recipe, IReadOnlyDictionary<string, string> HyperParameters, Dictionary<string, Dictionary<string, double>> Candidates)
{
    /// <summary>Each candidate's hyper-parameters, by the same names as <see cref="Candidates"/> (for the training report).</summary>
    public Dictionary<string, IReadOnlyDictionary<string, string>> CandidateSettings { get; init; } = [];

    /// <summary>The name in <see cref="Candidates"/> of the trial that won (null when there was no search).</summary>
    public string? Winner { get; init; }
}

/// <summary>
/// A solution's training: one recipe; or HPO, a bounded, seeded random search over the given ranges (the recipe
/// defaults are always the first trial), best by hpoObjective; or AutoML, that search on each candidate recipe (over the
/// recipe's own ranges, narrowed where hpoConfig names the parameter) within maxNumberOfTrainingJobs, best by
/// autoMLConfig.metricName. A search chooses on validation users and reports the test users' metrics. Trials run
/// one after another; the operator refuses maxParallelTrainingJobs above 1.
/// </summary>
internal sealed class SolutionTrainer(RecipeTrainer recipes, int seed)
{
    /// <summary>Trainings per searched recipe when hpoConfig does not say: its defaults and three samples.</summary>
    public const int DefaultHpoTrainings = 4;

    public const string ValidationPrefix = "validation_";

    public async Task<SolutionOutcome> TrainAsync(TrainJobSpec spec, TrainingData data, CancellationToken cancellationToken)
    {
        var config = ParseHpoConfig(spec.HpoConfigJson);
        if (spec.PerformAutoML)
        {
            var names = spec.AutoMLRecipes.Count > 0 ? spec.AutoMLRecipes : Recipes.AutoMLCandidates;
            var candidates = names.Select(name => Find(name, "autoMLConfig.recipeList")).ToList();
            if (candidates.Count == 0)
            {
                throw new InvalidDataException("autoMLConfig.recipeList: no candidate recipes.");
            }

            var tunable = candidates.Where(r => r.HyperParameters.Any(h => h.Tunable)).ToList();
            var budget = Math.Max(candidates.Count, MaxTrainings(config) ?? (candidates.Count + ((DefaultHpoTrainings - 1) * tunable.Count)));
            var trials = candidates.Select(r => (Recipe: r, Values: new Dictionary<string, string>(r.Resolve(null, null)))).ToList();
            var random = new Random(seed);
            for (var sample = 0; trials.Count < budget && tunable.Count > 0; sample++)
            {
                var recipe = tunable[sample % tunable.Count];
                var values = new Dictionary<string, string>(recipe.Resolve(null, null));
                Sample(OwnRanges(recipe, config.AlgorithmHyperParameterRanges), recipe, values, random);
                trials.Add((recipe, values));
            }

            return await SearchAsync(trials, spec.AutoMLMetric ?? OfflineMetrics.PrecisionAt25, minimize: false, autoML: true, data, cancellationToken);
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
            var model = await recipes.TrainAsync(chosen, resolved, data, validate: false, cancellationToken);
            return new SolutionOutcome(model, chosen.Name, resolved, []);
        }

        var searched = new List<(Recipe Recipe, Dictionary<string, string> Values)> { (chosen, new Dictionary<string, string>(resolved)) };
        var hpoRandom = new Random(seed);
        while (searched.Count < (MaxTrainings(config) ?? DefaultHpoTrainings))
        {
            var values = new Dictionary<string, string>(resolved);
            Sample(config.AlgorithmHyperParameterRanges, chosen, values, hpoRandom);
            searched.Add((chosen, values));
        }

        var minimize = string.Equals(config.HpoObjective?.Type, "Minimize", StringComparison.OrdinalIgnoreCase);
        return await SearchAsync(searched, config.HpoObjective?.MetricName ?? OfflineMetrics.PrecisionAt25, minimize, autoML: false, data, cancellationToken);
    }

    /// <summary>
    /// Trains every trial on the same split and keeps the best by the validation users' metric. Trials are named
    /// recipe#n; AutoML names each candidate's defaults by the recipe alone.
    /// </summary>
    private async Task<SolutionOutcome> SearchAsync(
        List<(Recipe Recipe, Dictionary<string, string> Values)> trials, string metric, bool minimize, bool autoML, TrainingData data, CancellationToken cancellationToken)
    {
        var candidates = new Dictionary<string, Dictionary<string, double>>();
        var settings = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var trialsPerRecipe = new Dictionary<string, int>();
        SolutionOutcome? best = null;
        double bestScore = 0;
        foreach (var (recipe, values) in trials)
        {
            var model = await recipes.TrainAsync(recipe, values, data, validate: true, cancellationToken);
            var validation = model.ValidationMetrics!;
            var index = trialsPerRecipe[recipe.Name] = trialsPerRecipe.GetValueOrDefault(recipe.Name, -1) + 1;
            var name = autoML && index == 0 ? recipe.Name : $"{recipe.Name}#{index}";
            settings[name] = values;
            candidates[name] =
                new Dictionary<string, double>(model.Metrics.Concat(validation.Select(m => KeyValuePair.Create(ValidationPrefix + m.Key, m.Value))));
            var score = Metric(validation, metric);
            if (best is null || (minimize ? score < bestScore : score > bestScore))
            {
                best = new SolutionOutcome(model, recipe.Name, values, candidates) { CandidateSettings = settings, Winner = name };
                bestScore = score;
            }
        }

        return best!;
    }

    private static HpoConfig ParseHpoConfig(string? json)
    {
        try
        {
            return JsonSerializer.Deserialize<HpoConfig>(json ?? "{}", JobJson.Options) ?? new HpoConfig();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"solutionConfig.hpoConfig: not valid JSON ({e.Message}).", e);
        }
    }

    private static int? MaxTrainings(HpoConfig config) =>
        int.TryParse(config.HpoResourceConfig?.MaxNumberOfTrainingJobs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)
            ? Math.Clamp(max, 1, 40)
            : null;

    /// <summary>AutoML's search space for one candidate: every tunable parameter over its recipe range, or hpoConfig's range for it.</summary>
    private static HyperParameterRanges OwnRanges(Recipe recipe, HyperParameterRanges? given)
    {
        var tunable = recipe.HyperParameters.Where(h => h.Tunable).ToList();
        return new HyperParameterRanges
        {
            IntegerHyperParameterRanges = tunable.Where(h => h.Kind == HyperParameterKind.Integer).Select(h =>
                given?.IntegerHyperParameterRanges?.FirstOrDefault(r => r.Name == h.Name) ?? new IntegerHyperParameterRange { Name = h.Name, MinValue = (int)h.Min, MaxValue = (int)h.Max }).ToList(),
            ContinuousHyperParameterRanges = tunable.Where(h => h.Kind == HyperParameterKind.Continuous).Select(h =>
                given?.ContinuousHyperParameterRanges?.FirstOrDefault(r => r.Name == h.Name) ?? new ContinuousHyperParameterRange { Name = h.Name, MinValue = h.Min, MaxValue = h.Max }).ToList(),
            CategoricalHyperParameterRanges = tunable.Where(h => h.Kind == HyperParameterKind.Categorical).Select(h =>
                given?.CategoricalHyperParameterRanges?.FirstOrDefault(r => r.Name == h.Name) ?? new CategoricalHyperParameterRange { Name = h.Name, Values = [.. h.Values] }).ToList(),
        };
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

    private static double Metric(IReadOnlyDictionary<string, double> metrics, string metric) =>
        metrics.TryGetValue(metric, out var value)
            ? value
            : throw new InvalidDataException($"metricName: \"{metric}\" is not one of {string.Join(", ", metrics.Keys)}.");
}
