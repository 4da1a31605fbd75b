using Personalize.Api;
using Personalize.Data.Schemas;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A schema is checked with the data library's parser (the same rules the import applies): ACTIVE with its record
/// name and fields, or CREATE FAILED listing every broken rule with the field it concerns. A schema still named by
/// a dataset cannot be deleted.
/// </summary>
public sealed class SchemaController(ControllerContext context) : ResourceController<Schema>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(Schema resource, CancellationToken cancellationToken)
    {
        var result = SchemaParser.Validate(resource.Spec.SchemaJson);
        if (!result.IsValid)
        {
            var problems = string.Join("; ", result.Errors.Select(e => $"spec.schema {e.Field}: {e.Message}"));
            return await FailAsync(resource, "InvalidSchema", problems, cancellationToken);
        }

        var schema = result.Schema!;
        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = Phases.Active;
            r.Status.FailureReason = null;
            r.Status.RecordName = schema.DatasetType;
            r.Status.Fields = schema.Fields.Select(f => f.Name).ToList();
            SetReady(r, true, "Active", $"{schema.DatasetType} schema with {schema.Fields.Count} fields");
        }, cancellationToken);
        return ReconcileResult.Done;
    }

    public override Task<DeletionResult> FinalizeAsync(Schema resource, CancellationToken cancellationToken) =>
        Task.FromResult(BlockedByChildren(resource, Context.Store.List<Dataset>(resource.Metadata.NamespaceProperty).Where(d => d.Spec.SchemaRef.Name == resource.Metadata.Name)));
}
