using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// What every kind's controller shares: the refusal of immutable edits (Terminal condition naming the field, then
/// reconciling with the accepted values), identity fields (arn, creation time), Ready conditions with
/// observedGeneration, parent lookups that turn "missing" or "not ready yet" into a waiting condition, and events.
/// </summary>
public abstract class ResourceController<T> : IEntityController<T>
    where T : class, IPersonalizeResource
{
    protected ResourceController(ControllerContext context)
    {
        Context = context;
        Kind = ApiGroup.EntityOf<T>().Kind;
        Logger = context.Loggers.CreateLogger(GetType());
    }

    protected ControllerContext Context { get; }

    protected string Kind { get; }

    protected ILogger Logger { get; }

    /// <summary>The ARN resource type (dataset-group, campaign, ...).</summary>
    protected virtual string ArnType => string.Concat(Kind.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public async Task<ReconcileResult> ReconcileAsync(T resource, CancellationToken cancellationToken)
    {
        var spec = resource.Spec;
        var accepted = resource.CommonStatus.AcceptedImmutableFields;
        var changed = ImmutableFields.FirstChanged(spec, accepted);
        var terminal = Conditions.Find(resource.CommonStatus, ConditionTypes.Terminal);
        if (changed is not null && terminal?.Status != ConditionStatus.True)
        {
            var message = $"{changed} cannot change after the {Kind} was created; the edit is ignored and the {Kind} keeps its accepted value. Revert the edit, or create a new {Kind}.";
            resource = await Context.Status.UpdateAsync(resource, r => Conditions.Set(r.CommonStatus, ConditionTypes.Terminal, true, "ImmutableFieldChanged", message, r.Metadata.Generation, Context.Time), cancellationToken);
            await Context.Events.RecordAsync(resource, "ImmutableFieldChanged", message, warning: true, cancellationToken);
        }
        else if (changed is null && terminal is not null)
        {
            resource = await Context.Status.UpdateAsync(resource, r => Conditions.Remove(r.CommonStatus, ConditionTypes.Terminal), cancellationToken);
        }

        var effective = resource;
        if (changed is not null && accepted is not null)
        {
            effective = StatusWriter.Clone(resource);
            ImmutableFields.Restore(effective.Spec, accepted);
        }

        return await ReconcileCoreAsync(effective, cancellationToken);
    }

    public abstract Task<DeletionResult> FinalizeAsync(T resource, CancellationToken cancellationToken);

    protected abstract Task<ReconcileResult> ReconcileCoreAsync(T resource, CancellationToken cancellationToken);

    /// <summary>Identity and generation bookkeeping every status write includes.</summary>
    protected void Stamp(T resource)
    {
        var status = resource.CommonStatus;
        status.Arn ??= Arn.For(ArnType, resource.Metadata.NamespaceProperty ?? string.Empty, resource.Metadata.Name);
        status.CreationDateTime ??= resource.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : Context.Time.GetUtcNow();
        status.ObservedGeneration = resource.Metadata.Generation;
    }

    /// <summary>Records the immutable fields as accepted: from now on an edit of one is refused.</summary>
    protected static void Accept(T resource) =>
        resource.CommonStatus.AcceptedImmutableFields ??= ImmutableFields.Snapshot(resource.Spec);

    protected void SetReady(T resource, bool? ready, string reason, string message) =>
        Conditions.Set(resource.CommonStatus, ConditionTypes.Ready, ready, reason, message, resource.Metadata.Generation, Context.Time);

    /// <summary>Writes status with Stamp applied, and emits an event when the phase changes.</summary>
    protected async Task<T> WriteStatusAsync(T resource, Action<T> change, CancellationToken cancellationToken)
    {
        var before = resource.CommonStatus.Phase;
        var written = await Context.Status.UpdateAsync(resource, r =>
        {
            Stamp(r);
            change(r);
        }, cancellationToken);
        var after = written.CommonStatus.Phase;
        if (after != before && after is not null)
        {
            var ready = Conditions.Find(written.CommonStatus, ConditionTypes.Ready);
            var message = $"{Kind} {resource.Metadata.Name} is {after}" + (ready is { Message.Length: > 0 } ? $": {ready.Message}" : string.Empty);
            await Context.Events.RecordAsync(written, PhaseReason(after), message, warning: after == Phases.CreateFailed, cancellationToken);
        }

        return written;
    }

    /// <summary>
    /// Waits in status (phase CREATE PENDING, Ready False with the reason) and asks to be looked at again later;
    /// a missing parent is the same kind of wait, not an error loop.
    /// </summary>
    protected async Task<ReconcileResult> WaitAsync(T resource, string reason, string message, CancellationToken cancellationToken)
    {
        await WriteStatusAsync(resource, r =>
        {
            if (r.CommonStatus.Phase is null or Phases.CreatePending)
            {
                r.CommonStatus.Phase = Phases.CreatePending;
            }

            SetReady(r, false, reason, message);
        }, cancellationToken);

        // Parents wake their children through the reference index; the delay only guards against a missed event.
        return ReconcileResult.After(Context.Settings.PollInterval * 4);
    }

    /// <summary>CREATE FAILED with a reason a user can act on; nothing more happens until the spec changes.</summary>
    protected async Task<ReconcileResult> FailAsync(T resource, string reason, string message, CancellationToken cancellationToken, Action<T>? also = null)
    {
        await WriteStatusAsync(resource, r =>
        {
            r.CommonStatus.Phase = Phases.CreateFailed;
            r.CommonStatus.FailureReason = message;
            SetReady(r, false, reason, message);
            also?.Invoke(r);
        }, cancellationToken);
        return ReconcileResult.Done;
    }

    /// <summary>A parent by reference: (parent, null) when ACTIVE, else (maybe parent, why we wait).</summary>
    protected (TParent? Parent, string? Waiting) Parent<TParent>(T resource, ResourceRef? reference, string field)
        where TParent : class, IPersonalizeResource
    {
        var parentKind = ApiGroup.EntityOf<TParent>().Kind;
        if (reference is null || reference.Name.Length == 0)
        {
            return (null, $"{field} is not set");
        }

        var parent = Context.Store.Get<TParent>(resource.Metadata.NamespaceProperty, reference.Name);
        if (parent is null)
        {
            return (null, $"{parentKind} {reference.Name} ({field}) does not exist in namespace {resource.Metadata.NamespaceProperty}");
        }

        if (parent.Metadata.DeletionTimestamp is not null)
        {
            return (parent, $"{parentKind} {reference.Name} ({field}) is being deleted");
        }

        return parent.CommonStatus.Phase == Phases.Active
            ? (parent, null)
            : (parent, $"waiting for {parentKind} {reference.Name} ({field}) to be ACTIVE (it is {parent.CommonStatus.Phase ?? "not yet reconciled"})");
    }

    /// <summary>Deletion is refused while children still name this resource: they must go first.</summary>
    protected DeletionResult BlockedByChildren(T resource, IEnumerable<IPersonalizeResource> children)
    {
        var list = children.Select(c => $"{c.Kind} {c.Metadata.Name}").ToList();
        if (list.Count == 0)
        {
            return DeletionResult.Complete;
        }

        var shown = string.Join(", ", list.Take(5)) + (list.Count > 5 ? $" and {list.Count - 5} more" : string.Empty);
        return DeletionResult.Blocked("HasChildren", $"{Kind} {resource.Metadata.Name} is still used by {shown}; delete those first (deletion resumes by itself).", Context.Settings.PollInterval * 2);
    }

    /// <summary>Removes every object under a prefix unless the resource retains its data.</summary>
    protected async Task DeleteDataAsync(T resource, Data.Storage.S3Uri prefix, CancellationToken cancellationToken)
    {
        if (DeletionPolicy.Retains(resource))
        {
            await Context.Events.RecordAsync(resource, "DataRetained", $"{prefix} kept ({DeletionPolicy.Annotation}: {DeletionPolicy.Retain})", warning: false, cancellationToken);
            return;
        }

        var objects = new List<Data.Storage.S3Uri>();
        await foreach (var item in Context.Objects.ListAsync(prefix, cancellationToken))
        {
            objects.Add(item.Uri);
        }

        foreach (var uri in objects)
        {
            await Context.Objects.DeleteAsync(uri, cancellationToken);
        }

        await Context.Events.RecordAsync(resource, "DataDeleted", $"removed {objects.Count} objects under {prefix}", warning: false, cancellationToken);
    }

    private static string PhaseReason(string phase) => phase switch
    {
        Phases.CreatePending => "Pending",
        Phases.CreateInProgress => "InProgress",
        Phases.Active => "Active",
        Phases.CreateFailed => "Failed",
        Phases.DeletePending => "DeletePending",
        _ => "PhaseChanged",
    };
}
