using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>A dataset group needs nothing but a place in the object store; it is ACTIVE at once.</summary>
public sealed class DatasetGroupController(ControllerContext context) : ResourceController<DatasetGroup>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(DatasetGroup resource, CancellationToken cancellationToken)
    {
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
