using Personalize.Api;

namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>
/// One controller per kind, shaped like KubeOps' IEntityController but level-triggered: the runner calls
/// <see cref="ReconcileAsync"/> with the latest cached object whenever anything about it may have changed, and
/// <see cref="FinalizeAsync"/> while its finalizer holds a deleted object, until cleanup reports done.
/// </summary>
public interface IEntityController<in T>
    where T : class, IPersonalizeResource
{
    Task<ReconcileResult> ReconcileAsync(T resource, CancellationToken cancellationToken);

    Task<DeletionResult> FinalizeAsync(T resource, CancellationToken cancellationToken);
}

/// <summary>What a reconcile asks of the runner: nothing more, or another look after a delay.</summary>
public readonly record struct ReconcileResult(TimeSpan? RequeueAfter)
{
    public static ReconcileResult Done { get; } = new(null);

    public static ReconcileResult After(TimeSpan delay) => new(delay);
}

/// <summary>Whether cleanup finished (the finalizer may go) or must wait, and why (shown in status).</summary>
public readonly record struct DeletionResult(bool Finished, string? BlockedReason, string? BlockedMessage, TimeSpan RetryAfter)
{
    public static DeletionResult Complete { get; } = new(true, null, null, TimeSpan.Zero);

    public static DeletionResult Blocked(string reason, string message, TimeSpan retryAfter) => new(false, reason, message, retryAfter);
}
