using Personalize.Api;
using Personalize.Data.Datasets;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Filters;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;
using Personalize.Trainer.Batch;
using Personalize.Trainer.Cli;

namespace Personalize.Trainer.Verbs;

/// <summary>`batch-infer --spec job.json`: JSON lines in, `&lt;input-file-name&gt;.out` lines out, with the served scorer.</summary>
public sealed class BatchInferVerb : JobVerb
{
    public override string Name => JobVerbs.BatchInfer;

    protected override string Description => "Scores JSON lines of users or items with a trained model into <input>.out lines.";

    protected override async Task ExecuteAsync(JobContext context, JobResult result, CancellationToken cancellationToken)
    {
        var spec = context.Spec.BatchInference ?? throw new JobFailedException("job.json has no \"batchInference\" section.");
        var model = Location(spec.ModelUri, "batchInference.modelUri");
        var input = Location(spec.InputPath, "batchInference.inputPath");
        var output = Location(spec.OutputPath, "batchInference.outputPath");
        if (spec.NumResults is < 1 or > RecommendationRequest.MaxNumResults)
        {
            throw new JobFailedException($"batchInference.numResults {spec.NumResults} must be between 1 and {RecommendationRequest.MaxNumResults}.");
        }

        FilterExpression? expression = null;
        if (!string.IsNullOrWhiteSpace(spec.FilterExpression))
        {
            try
            {
                expression = FilterExpression.Parse(spec.FilterExpression);
            }
            catch (FilterParseException e)
            {
                throw new JobFailedException($"batchInference.filterExpression: {e.Message}");
            }
        }

        await context.ReportProgressAsync(new JobProgress { Stage = "load", Message = $"loading {model}" }, cancellationToken);
        ModelArtifact artifact;
        try
        {
            artifact = await ModelArtifact.LoadAsync(context.Store, model, cancellationToken);
        }
        catch (Exception e) when (e is ObjectNotFoundException or InvalidDataException)
        {
            throw new JobFailedException($"batchInference.modelUri: {e.Message}");
        }

        var recommender = RecommenderFactory.Create(artifact);
        ItemExploration? exploration;
        try
        {
            exploration = ItemExploration.Create(spec.ItemExplorationConfig, "batchInferenceJobConfig.itemExplorationConfig", artifact);
        }
        catch (InvalidDataException e)
        {
            throw new JobFailedException(e.Message);
        }

        if (exploration is not null && artifact.Manifest.RecipeType != RecipeTypes.UserPersonalization)
        {
            throw new JobFailedException($"batchInferenceJobConfig.itemExplorationConfig: only USER_PERSONALIZATION solutions explore; this one is {artifact.Manifest.RecipeType}.");
        }

        BatchFilter? filter = null;
        if (expression is not null)
        {
            var datasets = S3Uri.TryParse(spec.DatasetGroupUri, out var group) ? new DatasetReader(context.Store, group.AsPrefix()) : null;
            filter = await BatchFilter.LoadAsync(expression, artifact.Vocabulary.Items, datasets, cancellationToken);
        }

        try
        {
            var counts = await new BatchInference(recommender, context.Store, spec.NumResults, filter, exploration).RunAsync(input, output, cancellationToken);
            result.BatchInference = new BatchInferenceJobResult { LinesRead = counts.LinesRead, LinesFailed = counts.LinesFailed, Outputs = [.. counts.Outputs] };
            await context.ReportProgressAsync(new JobProgress { Stage = "done", PercentComplete = 100, RowsRead = counts.LinesRead }, cancellationToken);
        }
        catch (Exception e) when (e is ObjectNotFoundException or InvalidDataException)
        {
            throw new JobFailedException($"batchInference.inputPath: {e.Message}");
        }
    }

    private static S3Uri Location(string value, string field) =>
        S3Uri.TryParse(value, out var uri) ? uri : throw new JobFailedException($"{field} \"{value}\" is not an s3:// location.");
}
