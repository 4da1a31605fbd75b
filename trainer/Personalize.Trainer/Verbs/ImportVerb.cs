using Personalize.Data.Import;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Trainer.Cli;

namespace Personalize.Trainer.Verbs;

/// <summary>`import --spec job.json`: CSV in the object store, checked against the schema, into the dataset's bulk data.</summary>
public sealed class ImportVerb : JobVerb
{
    public override string Name => JobVerbs.Import;

    protected override string Description => "Imports CSV from the object store, checked against the schema, into a dataset.";

    protected override async Task ExecuteAsync(JobContext context, JobResult result, CancellationToken cancellationToken)
    {
        var spec = context.Spec.Import ?? throw new JobFailedException("job.json has no \"import\" section.");
        var request = ToRequest(context.Spec.JobName, spec);
        var progress = new BackgroundProgress<ImportProgress>(p => context.ReportProgressAsync(new JobProgress
        {
            Stage = p.Stage,
            RowsRead = p.RowsRead,
            PercentComplete = p.TotalBytes > 0 ? (int)Math.Min(99, 100 * p.BytesRead / p.TotalBytes) : null,
        }, cancellationToken));
        try
        {
            var report = await new DatasetImporter(context.Store).ImportAsync(request, progress, cancellationToken);
            // The data is committed: nothing after this point (a failed progress write, a SIGTERM) may report a failure.
            result.Import = ToResult(report, request);
            await BestEffortAsync(progress.FlushAsync());
            await BestEffortAsync(context.ReportProgressAsync(new JobProgress { Stage = "done", RowsRead = report.RowsRead, PercentComplete = 100 }, CancellationToken.None));
        }
        catch (ImportFailedException e)
        {
            result.Import = ToResult(e.Report, request);
            throw new JobFailedException(e.Message);
        }
    }

    /// <summary>Progress is advisory: once the import committed, a failure to write it is only logged.</summary>
    private static async Task BestEffortAsync(Task write)
    {
        try
        {
            await write;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"personalize-trainer import: progress not written after the commit ({e.GetType().Name}: {e.Message})");
        }
    }

    private static DatasetImportRequest ToRequest(string jobName, ImportJobSpec spec)
    {
        var datasetType = DatasetTypes.Canonical(spec.DatasetType)
            ?? throw new JobFailedException($"import.datasetType \"{spec.DatasetType}\" is not one of {string.Join(", ", DatasetTypes.All)}.");
        var schema = SchemaParser.Validate(spec.Schema, datasetType);
        if (!schema.IsValid)
        {
            throw new JobFailedException($"import.schema is invalid: {string.Join("; ", schema.Errors)}");
        }

        if (!S3Uri.TryParse(spec.DataLocation, out var location))
        {
            throw new JobFailedException($"import.dataLocation \"{spec.DataLocation}\" is not an s3://bucket/key location.");
        }

        if (!S3Uri.TryParse(spec.DatasetGroupUri, out var group))
        {
            throw new JobFailedException($"import.datasetGroupUri \"{spec.DatasetGroupUri}\" is not an s3:// prefix.");
        }

        if (spec.MaxRejectedRowsRatio is < 0 or > 1 || double.IsNaN(spec.MaxRejectedRowsRatio))
        {
            throw new JobFailedException($"import.maxRejectedRowsRatio {spec.MaxRejectedRowsRatio} must be between 0 and 1.");
        }

        ImportMode mode;
        try
        {
            mode = DatasetImportRequest.ParseMode(spec.ImportMode);
        }
        catch (ArgumentException e)
        {
            throw new JobFailedException($"import.{e.Message}");
        }

        return new DatasetImportRequest(string.IsNullOrEmpty(jobName) ? "import" : jobName, schema.Schema!, location, group.AsPrefix(), mode, spec.MaxRejectedRowsRatio);
    }

    private static ImportJobResult ToResult(ImportReport report, DatasetImportRequest request) => new()
    {
        RowsRead = report.RowsRead,
        RowsImported = report.RowsImported,
        RowsRejected = report.RowsRejected,
        DatasetRowCount = report.DatasetRowCount,
        DistinctUsers = report.DistinctUsers,
        DistinctItems = report.DistinctItems,
        MinTimestamp = report.MinTimestamp,
        MaxTimestamp = report.MaxTimestamp,
        ReportUri = StoreLayout.ImportReport(request.DatasetGroup, request.JobName).ToString(),
    };
}
