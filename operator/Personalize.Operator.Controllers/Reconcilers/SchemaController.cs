using Personalize.Api;
using Personalize.Data.Schemas;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A schema is checked with the data library's parser (the same rules the import applies): ACTIVE with its record
/// name and fields, or CREATE FAILED listing every broken rule with the field it concerns (a domain is refused too:
/// domain schemas need recommenders, which this product does not offer). A schema still named by a dataset cannot
/// be deleted.
/// </summary>
public sealed class SchemaController(ControllerContext context) : ResourceController<Schema>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(Schema resource, CancellationToken cancellationToken)
    {
        var (parsed, problems) = Validate(resource.Spec);
        if (problems.Count > 0)
        {
            return await FailAsync(resource, parsed is null ? "InvalidSchema" : "InvalidSpec", string.Join("; ", problems), cancellationToken);
        }

        var schema = parsed!;
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

    /// <summary>The parsed schema (null when the Avro schema breaks a rule), and every problem with the spec, each naming its field.</summary>
    public static (DatasetSchema? Schema, List<string> Problems) Validate(SchemaSpec spec)
    {
        var result = SchemaParser.Validate(spec.SchemaJson);
        var problems = result.Errors.Select(e => $"spec.schema {e.Field}: {e.Message}").ToList();
        if (!string.IsNullOrEmpty(spec.Domain))
        {
            problems.Add($"spec.domain: {spec.Domain} is not supported; domain schemas belong to domain dataset groups, which serve through recommenders that this product does not offer (omit it for a custom schema)");
        }

        return (result.IsValid ? result.Schema : null, problems);
    }

    public override Task<DeletionResult> FinalizeAsync(Schema resource, CancellationToken cancellationToken) =>
        Task.FromResult(BlockedByChildren(resource, Context.Store.List<Dataset>(resource.Metadata.NamespaceProperty).Where(d => d.Spec.SchemaRef.Name == resource.Metadata.Name)));
}
