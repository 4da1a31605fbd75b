using Personalize.Api;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A dataset is ACTIVE once its group and schema are, the schema describes records of the dataset's type, and the
/// group has no other dataset of that type. Its schema is stored with its data for the runtime and trainer; its row
/// count is written by the imports into it.
/// </summary>
public sealed class DatasetController(ControllerContext context) : ResourceController<Dataset>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(Dataset resource, CancellationToken cancellationToken)
    {
        var (_, groupWait) = Parent<DatasetGroup>(resource, resource.Spec.DatasetGroupRef, "spec.datasetGroupRef");
        if (groupWait is not null)
        {
            return await WaitAsync(resource, "WaitingForDatasetGroup", groupWait, cancellationToken);
        }

        var (schema, schemaWait) = Parent<Schema>(resource, resource.Spec.SchemaRef, "spec.schemaRef");
        if (schemaWait is not null || schema is null)
        {
            return await WaitAsync(resource, "WaitingForSchema", schemaWait ?? "spec.schemaRef is not set", cancellationToken);
        }

        if (!string.Equals(schema.Status.RecordName, resource.Spec.DatasetType, StringComparison.OrdinalIgnoreCase))
        {
            return await FailAsync(resource, "SchemaMismatch",
                $"spec.schemaRef: Schema {schema.Metadata.Name} describes {schema.Status.RecordName} records, but spec.datasetType is {resource.Spec.DatasetType}", cancellationToken);
        }

        var rival = Context.Store.List<Dataset>(resource.Metadata.NamespaceProperty)
            .Where(d => d.Metadata.Name != resource.Metadata.Name
                && d.Spec.DatasetGroupRef.Name == resource.Spec.DatasetGroupRef.Name
                && string.Equals(d.Spec.DatasetType, resource.Spec.DatasetType, StringComparison.OrdinalIgnoreCase)
                && Older(d, resource))
            .FirstOrDefault();
        if (rival is not null)
        {
            return await FailAsync(resource, "DuplicateDatasetType",
                $"spec.datasetType: dataset group {resource.Spec.DatasetGroupRef.Name} already has a {resource.Spec.DatasetType} dataset ({rival.Metadata.Name})", cancellationToken);
        }

        var parsed = SchemaParser.Validate(schema.Spec.SchemaJson, resource.Spec.DatasetType);
        if (parsed.Schema is not { } datasetSchema)
        {
            return await FailAsync(resource, "SchemaMismatch",
                $"spec.schemaRef: Schema {schema.Metadata.Name} is not a valid {resource.Spec.DatasetType} schema: {string.Join("; ", parsed.Errors)}", cancellationToken);
        }

        // The runtime checks PutUsers/PutItems properties against the stored schema, so it must exist before the
        // first import: creating a dataset and streaming records into it is a normal flow.
        var group = Context.GroupUri(resource.Metadata.NamespaceProperty, resource.Spec.DatasetGroupRef.Name);
        if (await StoredSchema.EnsureAsync(Context.Objects, group, datasetSchema, cancellationToken))
        {
            await Context.Events.RecordAsync(resource, "SchemaStored",
                $"stored Schema {schema.Metadata.Name} at {StoredSchema.Location(group, datasetSchema.DatasetType)}", warning: false, cancellationToken);
        }

        var location = StoreLayout.Dataset(group, resource.Spec.DatasetType).ToString();
        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = Phases.Active;
            r.Status.FailureReason = null;
            r.Status.StorageLocation = location;
            SetReady(r, true, "Active", $"{r.Spec.DatasetType} dataset with schema {schema.Metadata.Name}");
        }, cancellationToken);
        return ReconcileResult.Done;
    }

    public override async Task<DeletionResult> FinalizeAsync(Dataset resource, CancellationToken cancellationToken)
    {
        // Finished jobs are history, not dependents. A running import would write into a deleted dataset, and a
        // running training or batch inference reads every dataset of its group.
        var ns = resource.Metadata.NamespaceProperty;
        var group = resource.Spec.DatasetGroupRef.Name;
        var solutions = Context.Store.List<Solution>(ns).Where(s => s.Spec.DatasetGroupRef.Name == group).Select(s => s.Metadata.Name).ToHashSet();
        var versions = Context.Store.List<SolutionVersion>(ns).Where(v => solutions.Contains(v.Spec.SolutionRef.Name)).ToList();
        var versionNames = versions.Select(v => v.Metadata.Name).ToHashSet();
        var running = Context.Store.List<DatasetImportJob>(ns)
            .Where(i => i.Spec.DatasetRef.Name == resource.Metadata.Name && i.Status.Phase is Phases.CreateInProgress)
            .Cast<IPersonalizeResource>()
            .Concat(versions.Where(v => v.Status.Phase is Phases.CreateInProgress))
            .Concat(Context.Store.List<BatchInferenceJob>(ns).Where(b => versionNames.Contains(b.Spec.SolutionVersionRef.Name) && b.Status.Phase is Phases.CreateInProgress));
        var blocked = BlockedByChildren(resource, running);
        if (!blocked.Finished)
        {
            return blocked;
        }

        if (resource.Status.Phase == Phases.Active)
        {
            var groupUri = Context.GroupUri(ns, group);
            await DeleteDataAsync(resource, StoreLayout.Dataset(groupUri, resource.Spec.DatasetType), cancellationToken);
        }

        return DeletionResult.Complete;
    }

    private static bool Older(Dataset a, Dataset b) =>
        (a.Metadata.CreationTimestamp, a.Metadata.Name).CompareTo((b.Metadata.CreationTimestamp, b.Metadata.Name)) < 0;
}
