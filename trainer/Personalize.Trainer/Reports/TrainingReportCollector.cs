using Personalize.Api;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Evaluation;
using Personalize.Models.Recipes;
using Personalize.Models.Training;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Reports;

/// <summary>
/// Gathers a training report from what the training computes anyway. It sits in the progress path: each model's
/// training starts with a progress line without an epoch (RecipeTrainer's "N interactions, M users" line), and
/// each epoch ends with one carrying its mean loss, so the losses of the n-th model trained are the n-th series.
/// </summary>
internal sealed class TrainingReportCollector(Func<JobProgress, CancellationToken, Task> next)
{
    private readonly List<List<EpochLoss>> _series = [];

    public async Task ReportAsync(JobProgress progress, CancellationToken cancellationToken)
    {
        if (progress.Stage == "train")
        {
            if (progress.Epoch is not { } epoch)
            {
                _series.Add([]);
            }
            else if (progress.Loss is { } loss)
            {
                if (_series.Count == 0)
                {
                    _series.Add([]);
                }

                _series[^1].Add(new EpochLoss(epoch, loss));
            }
        }

        await next(progress, cancellationToken);
    }

    public async Task<TrainingReport> BuildAsync(JobSpec job, TrainJobSpec spec, TrainingData data, SolutionOutcome outcome, double trainingSeconds, CancellationToken cancellationToken)
    {
        IReadOnlyList<EpochLoss> Series(int index) => index < _series.Count ? _series[index] : [];

        List<CandidateReport> candidates;
        var winner = outcome.Recipe;
        if (outcome.Candidates.Count == 0)
        {
            candidates = [new CandidateReport(outcome.Recipe, outcome.HyperParameters, outcome.Best.Metrics, Series(0))];
        }
        else
        {
            candidates = outcome.Candidates.Select((c, i) => new CandidateReport(
                c.Key,
                outcome.CandidateSettings.GetValueOrDefault(c.Key) ?? new Dictionary<string, string>(),
                c.Value,
                Series(i))).ToList();
            winner = outcome.Winner ?? outcome.Recipe;
        }

        return new TrainingReport
        {
            Version = string.IsNullOrEmpty(job.JobName) ? "solution version" : job.JobName,
            Recipe = outcome.Recipe,
            TrainingMode = spec.TrainingMode,
            FinishedAt = DateTimeOffset.UtcNow,
            TrainingSeconds = trainingSeconds,
            Metrics = outcome.Best.Metrics,
            Baseline = await PopularityBaselineAsync(data, spec.Seed, cancellationToken),
            PreviousVersions = spec.PreviousVersions,
            Candidates = candidates,
            Winner = winner,
            Objective = spec.PerformAutoML ? spec.AutoMLMetric ?? OfflineMetrics.PrecisionAt25
                : spec.PerformHPO ? HpoObjective(spec) : null,
            Data = DataProfile.Of(data.Interactions, data.CatalogueItems),
            Impressions = (data.Impressions.Count, data.ImplicitImpressions, data.UnresolvedRecommendationIds),
            MetadataGate = outcome.Best.Artifact.Manifest.MetadataGate?.Reason,
        };
    }

    /// <summary>aws-popularity-count trained on the same 90% of users and scored on the same held-out 10%.</summary>
    private static Task<Dictionary<string, double>> PopularityBaselineAsync(TrainingData data, int seed, CancellationToken cancellationToken)
    {
        var recipe = Recipes.Find(Recipes.PopularityCount)!;
        var all = UserSequences.Build(data.Interactions);
        var split = EvaluationSplit.Create(all, seed);
        var manifest = new ModelManifest { Recipe = recipe.Name, RecipeType = recipe.RecipeType, CreatedAt = DateTimeOffset.UtcNow };
        return Evaluator.EvaluateAsync(RecommenderFactory.Create(PopularityTrainer.Train(manifest, split.Training, split.Training)), all, split.Test, data.CatalogueSize(), cancellationToken: cancellationToken);
    }

    private static string HpoObjective(TrainJobSpec spec)
    {
        var config = System.Text.Json.JsonSerializer.Deserialize<HpoConfig>(spec.HpoConfigJson ?? "{}", JobJson.Options);
        return config?.HpoObjective?.MetricName ?? OfflineMetrics.PrecisionAt25;
    }
}
