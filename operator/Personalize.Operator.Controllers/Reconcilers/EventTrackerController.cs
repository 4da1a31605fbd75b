using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// An event tracker issues a trackingId (stable: derived from the resource's uid) and lists the endpoints of the
/// campaigns of its group, which accept its PutEvents. One tracker per group, as in Personalize.
/// </summary>
public sealed class EventTrackerController(ControllerContext context) : ResourceController<EventTracker>(context)
{
    protected override async Task<ReconcileResult> ReconcileCoreAsync(EventTracker resource, CancellationToken cancellationToken)
    {
        var (_, wait) = Parent<DatasetGroup>(resource, resource.Spec.DatasetGroupRef, "spec.datasetGroupRef");
        if (wait is not null)
        {
            return await WaitAsync(resource, "WaitingForDatasetGroup", wait, cancellationToken);
        }

        var ns = resource.Metadata.NamespaceProperty;
        var group = resource.Spec.DatasetGroupRef.Name;
        var rival = Context.Store.List<EventTracker>(ns)
            .FirstOrDefault(e => e.Metadata.Name != resource.Metadata.Name && e.Spec.DatasetGroupRef.Name == group
                && (e.Metadata.CreationTimestamp, e.Metadata.Name).CompareTo((resource.Metadata.CreationTimestamp, resource.Metadata.Name)) < 0);
        if (rival is not null)
        {
            return await FailAsync(resource, "DuplicateEventTracker", $"spec.datasetGroupRef: dataset group {group} already has an event tracker ({rival.Metadata.Name})", cancellationToken);
        }

        var endpoints = CampaignsOfGroup(ns, group).Select(c => c.Status.Endpoint).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        await WriteStatusAsync(resource, r =>
        {
            Accept(r);
            r.Status.Phase = Phases.Active;
            r.Status.FailureReason = null;
            r.Status.TrackingId ??= TrackingIdOf(r);
            r.Status.Endpoints = endpoints;
            SetReady(r, true, "Active", endpoints.Count == 0 ? "no campaign of the group serves yet" : $"events go to {endpoints.Count} campaign endpoint(s)");
        }, cancellationToken);

        // Campaigns come and go without naming the tracker: look again now and then.
        return ReconcileResult.After(Context.Settings.PollInterval * 2);
    }

    public override Task<DeletionResult> FinalizeAsync(EventTracker resource, CancellationToken cancellationToken) =>
        Task.FromResult(DeletionResult.Complete);

    /// <summary>The campaigns whose solution version's solution belongs to the group.</summary>
    public static IEnumerable<Campaign> CampaignsOf(Seams.IResourceStore store, string @namespace, string group) =>
        store.List<Campaign>(@namespace).Where(c =>
            store.Get<SolutionVersion>(@namespace, c.Spec.SolutionVersionRef.Name) is { } version
            && store.Get<Solution>(@namespace, version.Spec.SolutionRef.Name) is { } solution
            && solution.Spec.DatasetGroupRef.Name == group);

    private IEnumerable<Campaign> CampaignsOfGroup(string @namespace, string group) => CampaignsOf(Context.Store, @namespace, group);

    private static string TrackingIdOf(EventTracker tracker) =>
        Guid.TryParse(tracker.Metadata.Uid, out var uid) ? uid.ToString("D") : Guid.NewGuid().ToString("D");
}
