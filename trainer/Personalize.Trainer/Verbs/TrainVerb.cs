using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Trainer.Cli;
using Personalize.Trainer.Hrnn;
using Personalize.Trainer.Training;

namespace Personalize.Trainer.Verbs;

/// <summary>
/// `train --spec job.json`: reads the dataset group, trains the solution's recipe (or AutoML / HPO), evaluates on
/// held-out users through the served scorer, and writes the model artifact; checkpoints each epoch and resumes.
/// </summary>
public sealed class TrainVerb : JobVerb
{
    public override string Name => JobVerbs.Train;

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
        TrainingData data;
        try
        {
            data = await TrainingDataLoader.LoadAsync(context.Store, group, spec.EventType, spec.EventValueThreshold, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new JobFailedException(e.Message);
        }

        var minimum = MinimumDataRule.Evaluate(data.Interactions.Select(i => i.UserId));
        if (minimum.FailureReason is { } notEnough)
        {
            throw new JobFailedException(notEnough + (spec.EventType is null ? string.Empty : $" (eventType \"{spec.EventType}\")"));
        }

        await context.ReportProgressAsync(new JobProgress
        {
            Stage = "read",
            RowsRead = data.Interactions.Count,
            Message = data.EventsWithoutItem == 0 ? null : $"{data.EventsWithoutItem} real-time events without an itemId skipped",
        }, cancellationToken);
        var recipes = new RecipeTrainer(context.Store, checkpoints, context.ReportProgressAsync, new HrnnSettings { Seed = spec.Seed });
        SolutionOutcome outcome;
        try
        {
            outcome = await new SolutionTrainer(recipes, spec.Seed).TrainAsync(spec, data, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new JobFailedException(e.Message);
        }

        var artifact = outcome.Best.Artifact;
        artifact.Manifest.EventType = spec.EventType;
        artifact.Manifest.EventValueThreshold = spec.EventValueThreshold;
        await artifact.SaveAsync(context.Store, modelUri, cancellationToken);
        result.Train = new TrainJobResult
        {
            Recipe = outcome.Recipe,
            Metrics = outcome.Best.Metrics,
            TunedHyperParameters = new Dictionary<string, string>(outcome.HyperParameters),
            ModelUri = modelUri.AsPrefix().ToString(),
            TrainingSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds,
            Interactions = artifact.Manifest.TrainingData.Interactions,
            Candidates = outcome.Candidates.Count > 0 ? outcome.Candidates : null,
        };
        await context.ReportProgressAsync(new JobProgress { Stage = "done", PercentComplete = 100, Message = $"{outcome.Recipe} saved to {modelUri}" }, cancellationToken);
    }

    private static S3Uri Location(string value, string field) =>
        S3Uri.TryParse(value, out var uri) ? uri : throw new JobFailedException($"{field} \"{value}\" is not an s3:// location.");
}
