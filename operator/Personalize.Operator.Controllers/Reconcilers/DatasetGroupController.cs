using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// A dataset group needs nothing but a place in the object store; it is ACTIVE at once, unless it asks for what
/// this product does not do (a domain, AWS KMS encryption): then CREATE FAILED naming the field.
/// </summary>
public sealed class DatasetGroupController(ControllerContext context) : ResourceController<DatasetGroup>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(DatasetGroup resource, CancellationToken cancellationToken)
    {
        var problems = Validate(resource.Spec);
        if (problems.Count > 0)
        {
            return await FailAsync(resource, "InvalidSpec", string.Join("; ", problems), cancellationToken);
        }

        var location = Context.GroupUri(resource.Metadata.NamespaceProperty, resource.Metadata.Name).ToString();
        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = Phases.Active;
            r.Status.StorageLocation = location;
            r.Status.FailureReason = null;
            SetReady(r, true, "Active", $"data, models and events live under {location}");
        }, cancellationToken);
        return ReconcileResult.Done;
    }

    /// <summary>Every problem with a dataset group's spec, each naming its field.</summary>
    public static List<string> Validate(DatasetGroupSpec spec)
    {
        var problems = new List<string>();
        if (!string.IsNullOrEmpty(spec.Domain))
        {
            problems.Add($"spec.domain: {spec.Domain} is not supported; domain dataset groups serve through recommenders, which this product does not offer (omit it for a custom group)");
        }

        if (!string.IsNullOrEmpty(spec.KmsKeyArn))
        {
            problems.Add("spec.kmsKeyArn: not supported; this installation does not encrypt with AWS KMS (encrypt the object store's bucket server-side, and omit it)");
        }

        return problems;
    }

    public override async Task<DeletionResult> FinalizeAsync(DatasetGroup resource, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty;
        var name = resource.Metadata.Name;
        var store = Context.Store;
        IEnumerable<IPersonalizeResource> children =
        [
            .. store.List<Dataset>(ns).Where(d => d.Spec.DatasetGroupRef.Name == name),
            .. store.List<Solution>(ns).Where(s => s.Spec.DatasetGroupRef.Name == name),
            .. store.List<EventTracker>(ns).Where(e => e.Spec.DatasetGroupRef.Name == name),
            .. store.List<Filter>(ns).Where(f => f.Spec.DatasetGroupRef.Name == name),
        ];
        var blocked = BlockedByChildren(resource, children);
        if (!blocked.Finished)
        {
            return blocked;
        }

        await DeleteDataAsync(resource, Context.GroupUri(ns, name), cancellationToken);
        return DeletionResult.Complete;
    }
}
