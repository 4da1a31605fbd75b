using System.Globalization;
using k8s.Models;
using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A solution resolves its recipe (or the AutoML candidates), checks hyper-parameters against the recipe's
/// ranges, reports its latest version, and with performAutoTraining creates a FULL SolutionVersion on its
/// schedule (the first as soon as it is ACTIVE, then every schedulingExpression interval).
/// </summary>
public sealed class SolutionController(ControllerContext context) : ResourceController<Solution>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(Solution resource, CancellationToken cancellationToken)
    {
        var (_, wait) = Parent<DatasetGroup>(resource, resource.Spec.DatasetGroupRef, "spec.datasetGroupRef");
        if (wait is not null)
        {
            return await WaitAsync(resource, "WaitingForDatasetGroup", wait, cancellationToken);
        }

        var (recipe, problems) = Validate(resource.Spec);
        if (problems.Count > 0)
        {
            return await FailAsync(resource, "InvalidSpec", string.Join("; ", problems), cancellationToken);
        }

        var versions = Context.Store.List<SolutionVersion>(resource.Metadata.NamespaceProperty).Where(v => v.Spec.SolutionRef.Name == resource.Metadata.Name).ToList();
        var latest = versions.OrderByDescending(v => v.Metadata.CreationTimestamp).ThenByDescending(v => v.Metadata.Name, StringComparer.Ordinal).FirstOrDefault();
        var now = Context.Time.GetUtcNow();
        DateTimeOffset? next = null;
        if (resource.Spec.PerformAutoTraining == true)
        {
            var interval = TrainingSchedule.Parse(resource.Spec.SolutionConfig?.AutoTrainingConfig?.SchedulingExpression).Interval!.Value;
            var lastAutomatic = versions.Where(v => v.Metadata.Labels?.ContainsKey(SolutionVersionController.TrainingTypeLabel) == true)
                .Select(v => (DateTimeOffset?)new DateTimeOffset(DateTime.SpecifyKind(v.Metadata.CreationTimestamp ?? DateTime.UtcNow, DateTimeKind.Utc)))
                .Max();
            next = lastAutomatic is { } last ? last + interval : now;
            if (next <= now && resource.Status.Phase == Phases.Active)
            {
                var created = await CreateAutomaticVersionAsync(resource, now, cancellationToken);
                latest = created;
                next = now + interval;
            }
        }

        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = Phases.Active;
            r.Status.FailureReason = null;
            r.Status.Recipe = recipe;
            r.Status.AutoMLResult = r.Spec.PerformAutoML == true && latest?.Status.Phase == Phases.Active ? new AutoMLResult { BestRecipeArn = latest.Status.Recipe } : r.Status.AutoMLResult;
            r.Status.LatestSolutionVersion = latest is null ? null : new SolutionVersionSummary
            {
                Name = latest.Metadata.Name,
                Phase = latest.Status.Phase,
                TrainingMode = latest.Spec.TrainingMode ?? TrainingModes.Full,
                FailureReason = latest.Status.FailureReason,
            };
            r.Status.NextAutoTrainingTime = next;
            SetReady(r, true, "Active", r.Spec.PerformAutoML == true ? "AutoML over " + recipe : $"recipe {recipe}");
        }, cancellationToken);

        return next is { } due ? ReconcileResult.After(Clamp(due - Context.Time.GetUtcNow())) : ReconcileResult.Done;
    }

    public override Task<DeletionResult> FinalizeAsync(Solution resource, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty;
        var versions = Context.Store.List<SolutionVersion>(ns).Where(v => v.Spec.SolutionRef.Name == resource.Metadata.Name);
        return Task.FromResult(BlockedByChildren(resource, versions));
    }

    /// <summary>The recipe (ARN) the solution trains, and every problem with its spec, each naming its field.</summary>
    public static (string Recipe, List<string> Problems) Validate(SolutionSpec spec)
    {
        var problems = new List<string>();
        var config = spec.SolutionConfig;
        string recipeText;
        if (spec.PerformAutoML == true)
        {
            var candidates = config?.AutoMLConfig?.RecipeList ?? [.. Recipes.AutoMLCandidates.Select(Arn.Recipe)];
            foreach (var candidate in candidates.Where(c => Recipes.Find(c) is null))
            {
                problems.Add($"solutionConfig.autoMLConfig.recipeList: {candidate} is not a recipe this product trains");
            }

            recipeText = string.Join(", ", candidates);
            if (!string.IsNullOrEmpty(spec.RecipeArn))
            {
                problems.Add("spec.recipeArn: not allowed with performAutoML; AutoML chooses among solutionConfig.autoMLConfig.recipeList");
            }

            if (config?.AlgorithmHyperParameters is { Count: > 0 })
            {
                problems.Add("solutionConfig.algorithmHyperParameters: not allowed with performAutoML (each candidate uses its own defaults)");
            }

            if (config?.FeatureTransformationParameters is { Count: > 0 })
            {
                problems.Add("solutionConfig.featureTransformationParameters: not allowed with performAutoML (each candidate uses its own defaults)");
            }
        }
        else if (string.IsNullOrEmpty(spec.RecipeArn))
        {
            problems.Add("spec.recipeArn: required unless performAutoML is true");
            recipeText = string.Empty;
        }
        else if (Recipes.Find(spec.RecipeArn) is not { } recipe)
        {
            problems.Add($"spec.recipeArn: {spec.RecipeArn} is not a recipe this product trains (known: {string.Join(", ", Recipes.All.Select(r => r.Name))})");
            recipeText = spec.RecipeArn;
        }
        else
        {
            recipeText = recipe.Arn;
            problems.AddRange(recipe.Validate(config?.AlgorithmHyperParameters, config?.FeatureTransformationParameters));
            if (spec.PerformHPO == true)
            {
                problems.AddRange(ValidateRanges(recipe, config?.HpoConfig?.AlgorithmHyperParameterRanges));
            }
        }

        if (config?.HpoConfig?.HpoObjective?.MetricRegex is { Length: > 0 })
        {
            problems.Add("solutionConfig.hpoConfig.hpoObjective.metricRegex: not supported; the objective is named by hpoObjective.metricName (one of the offline metric names, such as precision_at_25), not found by a regex over training logs");
        }

        // A version trains in one job on its own CPU or GPU: trials run one after another there, so more in parallel cannot take effect.
        if (config?.HpoConfig?.HpoResourceConfig?.MaxParallelTrainingJobs is { } parallel && parallel != "1")
        {
            problems.Add($"solutionConfig.hpoConfig.hpoResourceConfig.maxParallelTrainingJobs: \"{parallel}\" is not supported; trials run one at a time within the version's training job (leave it out or set \"1\")");
        }

        if (spec.PerformAutoTraining == true && TrainingSchedule.Parse(config?.AutoTrainingConfig?.SchedulingExpression).Problem is { } scheduleProblem)
        {
            problems.Add(scheduleProblem);
        }

        if (config?.EventValueThreshold is { } threshold && !double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            problems.Add($"solutionConfig.eventValueThreshold: \"{threshold}\" is not a number");
        }

        return (recipeText, problems);
    }

    private static IEnumerable<string> ValidateRanges(Recipe recipe, HyperParameterRanges? ranges)
    {
        const string Field = "solutionConfig.hpoConfig.algorithmHyperParameterRanges";
        IEnumerable<(string Name, string Section)> named =
        [
            .. (ranges?.IntegerHyperParameterRanges ?? []).Select(r => (r.Name, "integerHyperParameterRanges")),
            .. (ranges?.ContinuousHyperParameterRanges ?? []).Select(r => (r.Name, "continuousHyperParameterRanges")),
            .. (ranges?.CategoricalHyperParameterRanges ?? []).Select(r => (r.Name, "categoricalHyperParameterRanges")),
        ];
        foreach (var (name, section) in named)
        {
            if (recipe.HyperParameters.FirstOrDefault(h => h.Name == name) is not { Tunable: true })
            {
                yield return $"{Field}.{section}.{name}: not a tunable hyper-parameter of {recipe.Name}";
            }
        }

        foreach (var range in ranges?.IntegerHyperParameterRanges ?? [])
        {
            if (recipe.HyperParameters.FirstOrDefault(h => h.Name == range.Name) is { } h && (range.MinValue > range.MaxValue || range.MinValue < h.Min || range.MaxValue > h.Max))
            {
                yield return $"{Field}.integerHyperParameterRanges.{range.Name}: [{range.MinValue}, {range.MaxValue}] must lie within [{h.Min}, {h.Max}] with min <= max";
            }
        }

        foreach (var range in ranges?.ContinuousHyperParameterRanges ?? [])
        {
            if (recipe.HyperParameters.FirstOrDefault(h => h.Name == range.Name) is { } h && (range.MinValue > range.MaxValue || range.MinValue < h.Min || range.MaxValue > h.Max))
            {
                yield return $"{Field}.continuousHyperParameterRanges.{range.Name}: [{range.MinValue}, {range.MaxValue}] must lie within [{h.Min}, {h.Max}] with min <= max";
            }
        }
    }

    private async Task<SolutionVersion> CreateAutomaticVersionAsync(Solution solution, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stamp = now.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        var prefix = solution.Metadata.Name.Length > 45 ? solution.Metadata.Name[..45].TrimEnd('-') : solution.Metadata.Name;
        var version = new SolutionVersion
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{prefix}-auto-{stamp}",
                NamespaceProperty = solution.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string> { [SolutionVersionController.TrainingTypeLabel] = "AUTOMATIC" },
                // Owned like everything else the operator creates: a cascading delete of the Solution takes them along.
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = solution.ApiVersion, Kind = solution.Kind, Name = solution.Metadata.Name, Uid = solution.Metadata.Uid, Controller = true, BlockOwnerDeletion = true },
                ],
            },
            Spec = new SolutionVersionSpec { SolutionRef = new ResourceRef { Name = solution.Metadata.Name }, TrainingMode = TrainingModes.Full },
        };
        try
        {
            version = await Context.Store.CreateAsync(version, cancellationToken);
        }
        catch (Seams.ConflictException)
        {
            // This minute's version exists already (a retried reconcile).
        }

        await Context.Events.RecordAsync(solution, "AutoTrainingStarted", $"created SolutionVersion {version.Metadata.Name} (trainingType AUTOMATIC)", warning: false, cancellationToken);
        return version;
    }

    private static TimeSpan Clamp(TimeSpan delay) =>
        delay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : delay;
}
