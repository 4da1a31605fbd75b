using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>Imports CSV into a dataset with `personalize-trainer import`; on success the dataset's row count follows.</summary>
public sealed class DatasetImportJobController(ControllerContext context) : TrainerJobController<DatasetImportJob>(context)
{
    protected override string Verb => JobVerbs.Import;

    protected override S3Uri? GroupUriOf(DatasetImportJob resource) =>
        Context.Store.Get<Dataset>(resource.Metadata.NamespaceProperty, resource.Spec.DatasetRef.Name) is { } dataset
            ? Context.GroupUri(resource.Metadata.NamespaceProperty, dataset.Spec.DatasetGroupRef.Name)
            : null;

    protected override string MissingParentOf(DatasetImportJob resource) => $"Dataset {resource.Spec.DatasetRef.Name} (spec.datasetRef)";

    protected override Task<JobPlan> PlanAsync(DatasetImportJob resource, CancellationToken cancellationToken)
    {
        if (Validate(resource.Spec) is { Count: > 0 } problems)
        {
            return Task.FromResult<JobPlan>(new JobPlan.Fail("InvalidSpec", string.Join("; ", problems)));
        }

        var (dataset, wait) = Parent<Dataset>(resource, resource.Spec.DatasetRef, "spec.datasetRef");
        if (wait is not null || dataset is null)
        {
            return Task.FromResult<JobPlan>(new JobPlan.Wait("WaitingForDataset", wait ?? "spec.datasetRef is not set"));
        }

        var schema = Context.Store.Get<Schema>(resource.Metadata.NamespaceProperty, dataset.Spec.SchemaRef.Name);
        if (schema is null || schema.Status.Phase != Phases.Active)
        {
            return Task.FromResult<JobPlan>(new JobPlan.Wait("WaitingForSchema", $"waiting for Schema {dataset.Spec.SchemaRef.Name} of Dataset {dataset.Metadata.Name} to be ACTIVE"));
        }

        if (Context.LocationRefusal(resource.Metadata.NamespaceProperty, "spec.dataSource.dataLocation", resource.Spec.DataSource.DataLocation) is { } refusal)
        {
            return Task.FromResult<JobPlan>(new JobPlan.Fail("LocationNotAllowed", refusal));
        }

        if (ImportAhead(resource) is { } ahead)
        {
            return Task.FromResult<JobPlan>(new JobPlan.Wait("WaitingForImport",
                $"waiting for DatasetImportJob {ahead.Metadata.Name} to finish: imports into Dataset {dataset.Metadata.Name} run one at a time"));
        }

        var group = Context.GroupUri(resource.Metadata.NamespaceProperty, dataset.Spec.DatasetGroupRef.Name);
        var spec = new JobSpec
        {
            Import = new ImportJobSpec
            {
                DatasetType = dataset.Spec.DatasetType,
                Schema = schema.Spec.SchemaJson,
                DataLocation = resource.Spec.DataSource.DataLocation,
                ImportMode = resource.Spec.ImportMode ?? ImportModes.Full,
                DatasetGroupUri = group.ToString(),
                MaxRejectedRowsRatio = resource.Spec.MaxRejectedRowsRatio ?? 0.1,
            },
        };
        return Task.FromResult<JobPlan>(new JobPlan.Run(group, spec, resource.Spec.Resources));
    }

    /// <summary>Every problem with an import job's spec, each naming its field.</summary>
    public static List<string> Validate(DatasetImportJobSpec spec)
    {
        var problems = new List<string>();
        if (spec.PublishAttributionMetricsToS3 == true)
        {
            problems.Add("spec.publishAttributionMetricsToS3: true is not supported; this product has no metric attributions to publish (omit it or set false)");
        }

        return problems;
    }

    /// <summary>
    /// The import into the same dataset that goes first: one already started, else an unfinished one created earlier
    /// (name breaks ties). Two imports committing at once would each replace the other's manifest, and the loser's
    /// clean-up could delete parts the winner's manifest lists.
    /// </summary>
    private DatasetImportJob? ImportAhead(DatasetImportJob resource) =>
        Context.Store.List<DatasetImportJob>(resource.Metadata.NamespaceProperty)
            .Where(other => other.Metadata.Name != resource.Metadata.Name
                && other.Spec.DatasetRef.Name == resource.Spec.DatasetRef.Name
                && other.Status.Phase is not (Phases.Active or Phases.CreateFailed)
                && (other.Status.JobName is not null || ComesFirst(other, resource)))
            .OrderBy(other => other.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(other => other.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    private static bool ComesFirst(DatasetImportJob a, DatasetImportJob b)
    {
        var created = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return created != 0 ? created < 0 : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name) < 0;
    }

    protected override string? JobNameOf(DatasetImportJob resource) => resource.Status.JobName;

    protected override void SetJobName(DatasetImportJob resource, string jobName) => resource.Status.JobName = jobName;

    protected override void SetTimes(DatasetImportJob resource, DateTimeOffset? start, DateTimeOffset? end)
    {
        resource.Status.StartTime = start ?? resource.Status.StartTime;
        resource.Status.CompletionTime = end ?? resource.Status.CompletionTime;
    }

    protected override void ApplyProgress(DatasetImportJob resource, JobProgress progress) =>
        resource.Status.RowsRead = progress.RowsRead ?? resource.Status.RowsRead;

    protected override void ApplyResult(DatasetImportJob resource, JobResult result)
    {
        var import = result.Import ?? new ImportJobResult();
        resource.Status.RowsRead = import.RowsRead;
        resource.Status.RowsImported = import.RowsImported;
        resource.Status.RowsRejected = import.RowsRejected;
        resource.Status.DistinctUsers = import.DistinctUsers;
        resource.Status.DistinctItems = import.DistinctItems;
        resource.Status.ReportLocation = import.ReportUri;
    }

    protected override async Task OnSucceededAsync(DatasetImportJob resource, JobResult result, CancellationToken cancellationToken)
    {
        if (Context.Store.Get<Dataset>(resource.Metadata.NamespaceProperty, resource.Spec.DatasetRef.Name) is not { } dataset)
        {
            return;
        }

        var finished = result.FinishedAt;
        await Context.Status.UpdateAsync(dataset, d =>
        {
            // Imports can finish out of order; the dataset reflects the one that finished last.
            var last = d.Status.LastImportJob is { } name ? Context.Store.Get<DatasetImportJob>(d.Metadata.NamespaceProperty, name) : null;
            if (last is not null && last.Metadata.Name != resource.Metadata.Name && last.Status.CompletionTime > finished)
            {
                return;
            }

            d.Status.RowCount = result.Import?.DatasetRowCount ?? result.Import?.RowsImported;
            d.Status.LastImportJob = resource.Metadata.Name;
        }, cancellationToken);
    }
}
