using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Trainer.Cli;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Reports;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Verbs;

/// <summary>
/// `train --spec job.json`: reads the dataset group, trains the solution's recipe (or AutoML / HPO; or, for
/// trainingMode UPDATE, continues the base FULL version's model), evaluates on held-out users through the served
/// scorer, and writes the model artifact and its training report; checkpoints each epoch and resumes.
/// </summary>
public sealed class TrainVerb : JobVerb
{
    public override string Name => JobVerbs.Train;

    protected override string Description => "Trains a solution version (a recipe, AutoML or HPO; FULL or UPDATE), checkpointing each epoch, and writes its model and report.";

    protected override async Task ExecuteAsync(JobContext context, JobResult result, CancellationToken cancellationToken)
    {
        var spec = context.Spec.Train ?? throw new JobFailedException("job.json has no \"train\" section.");
        var group = Location(spec.DatasetGroupUri, "train.datasetGroupUri");
        var modelUri = Location(spec.ModelUri, "train.modelUri");
        S3Uri? checkpoints = string.IsNullOrEmpty(spec.CheckpointUri) ? null : Location(spec.CheckpointUri, "train.checkpointUri");
        if (!spec.PerformAutoML && string.IsNullOrEmpty(spec.Recipe))
        {
            throw new JobFailedException("train.recipe is required unless performAutoML is true.");
        }

        var started = DateTimeOffset.UtcNow;
        await context.ReportProgressAsync(new JobProgress { Stage = "read", Message = $"reading {group}" }, cancellationToken);
        // A retry trains on the snapshot the stopped run took, so its checkpoints still apply (see TrainingSnapshot).
        TrainingData? snapshot;
        TrainingData data;
        try
        {
            snapshot = checkpoints is { } saved ? await TrainingSnapshot.ReadAsync(context.Store, saved, cancellationToken) : null;
            data = snapshot ?? await TrainingDataLoader.LoadAsync(context.Store, group, spec.EventType, spec.EventValueThreshold, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new JobFailedException(e.Message);
        }

        if (snapshot is null && checkpoints is { } keep)
        {
            await TrainingSnapshot.WriteAsync(context.Store, keep, data, cancellationToken);
        }

        var minimum = MinimumDataRule.Evaluate(data.Interactions.Select(i => i.UserId));
        if (minimum.FailureReason is { } notEnough)
        {
            throw new JobFailedException(notEnough + (spec.EventType is null ? string.Empty : $" (eventType \"{spec.EventType}\")"));
        }

        await context.ReportProgressAsync(
            new JobProgress
            {
                Stage = "read",
                RowsRead = data.Interactions.Count,
                Message = ReadMessage(data),
            },
            cancellationToken);
        var collector = new TrainingReportCollector(context.ReportProgressAsync);
        var recipes = new RecipeTrainer(context.Store, checkpoints, collector.ReportAsync, new HrnnSettings { Seed = spec.Seed });
        SolutionOutcome outcome;
        try
        {
            if (string.Equals(spec.TrainingMode, "UPDATE", StringComparison.OrdinalIgnoreCase))
            {
                var baseModel = await ModelArtifact.LoadAsync(context.Store, Location(spec.BaseModelUri ?? string.Empty, "train.baseModelUri"), cancellationToken);
                if (spec.OnlyWithNewData && NothingNewFor(baseModel, data) is { } skipped)
                {
                    result.Train = new TrainJobResult { Recipe = baseModel.Manifest.Recipe, Skipped = skipped, Interactions = data.Interactions.Count };
                    await context.ReportProgressAsync(new JobProgress { Stage = "done", PercentComplete = 100, Message = skipped }, cancellationToken);
                    return;
                }

                var updated = await recipes.UpdateAsync(baseModel, data, cancellationToken);
                outcome = new SolutionOutcome(updated, baseModel.Manifest.Recipe, baseModel.Manifest.HyperParameters, []);
            }
            else
            {
                outcome = await new SolutionTrainer(recipes, spec.Seed).TrainAsync(spec, data, cancellationToken);
            }
        }
        catch (InvalidDataException e)
        {
            throw new JobFailedException(e.Message);
        }

        var artifact = outcome.Best.Artifact;
        artifact.Manifest.EventType = spec.EventType;
        artifact.Manifest.EventValueThreshold = spec.EventValueThreshold;
        await artifact.SaveAsync(context.Store, modelUri, cancellationToken);
        var trainingSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        string? reportUri = null;
        if (!string.IsNullOrEmpty(spec.ReportUri))
        {
            var report = Location(spec.ReportUri, "train.reportUri");
            var page = ReportPage.Render(await collector.BuildAsync(context.Spec, spec, data, outcome, trainingSeconds, cancellationToken));
            await context.Store.WriteAsync(report, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(page)), cancellationToken);
            reportUri = report.ToString();
        }

        result.Train = new TrainJobResult
        {
            Recipe = outcome.Recipe,
            Metrics = outcome.Best.Metrics,
            TunedHyperParameters = new Dictionary<string, string>(outcome.HyperParameters),
            ModelUri = modelUri.AsPrefix().ToString(),
            TrainingSeconds = trainingSeconds,
            ReportUri = reportUri,
            Interactions = artifact.Manifest.TrainingData.Interactions,
            EventsWithoutItem = data.EventsWithoutItem,
            ImplicitImpressions = data.ImplicitImpressions,
            UnresolvedRecommendationIds = data.UnresolvedRecommendationIds,
            Candidates = outcome.Candidates.Count > 0 ? outcome.Candidates : null,
        };
        await context.ReportProgressAsync(new JobProgress { Stage = "done", PercentComplete = 100, Message = $"{outcome.Recipe} saved to {modelUri}" }, cancellationToken);
    }

    /// <summary>What the read left out or resolved that the interaction count does not show; null when nothing.</summary>
    private static string? ReadMessage(TrainingData data)
    {
        List<string> notes = [];
        if (data.EventsWithoutItem > 0)
        {
            notes.Add($"{data.EventsWithoutItem} real-time events without an item (page views and the like) are not trained on");
        }

        if (data.ImplicitImpressions > 0 || data.UnresolvedRecommendationIds > 0)
        {
            notes.Add($"{data.ImplicitImpressions} events take their recommendationId's served list as impressions; {data.UnresolvedRecommendationIds} recommendationIds were not found among the served lists kept (or were served to another user)");
        }

        return notes.Count == 0 ? null : string.Join("; ", notes);
    }

    /// <summary>
    /// Why an automatic update has nothing to do: no interaction newer than the base model's newest and no item outside
    /// its vocabulary; null when there is something new.
    /// </summary>
    private static string? NothingNewFor(ModelArtifact baseModel, TrainingData data)
    {
        var since = baseModel.Manifest.TrainingData.MaxTimestamp ?? long.MinValue;
        var known = baseModel.Vocabulary.Items.ToHashSet(StringComparer.Ordinal);
        var newInteractions = data.Interactions.Concat(data.ExcludedInteractions).Count(i => i.Timestamp > since);
        var newItems = data.Interactions.Select(i => i.ItemId).Concat(data.CatalogueItems).Where(id => !known.Contains(id)).Distinct(StringComparer.Ordinal).Count();
        return newInteractions == 0 && newItems == 0
            ? $"no new data: no interaction after the base model's newest (TIMESTAMP {since}) and no item outside its {known.Count}"
            : null;
    }

    private static S3Uri Location(string value, string field) =>
        S3Uri.TryParse(value, out var uri) ? uri : throw new JobFailedException($"{field} \"{value}\" is not an s3:// location.");
}
