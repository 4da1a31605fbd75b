using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>The non-generic face of a runner, so the host can route keys to the runner of their kind.</summary>
public interface IControllerRunner
{
    string Kind { get; }

    int QueueDepth { get; }

    void Enqueue(ResourceKey key);

    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Drives one <see cref="IEntityController{T}"/>: takes keys off its work queue, looks the object up in the cache,
/// keeps the kind's finalizer (personalize.io/&lt;kind&gt;) on live objects, calls ReconcileAsync or, for a deleted
/// object that still holds the finalizer, FinalizeAsync (the controller's cleanup), then removes the finalizer once cleanup is complete.
/// Errors retry with per-key exponential backoff; a requested delay re-adds the key later.
/// </summary>
public sealed class EntityControllerRunner<T> : IControllerRunner, IDisposable
    where T : class, IPersonalizeResource
{
    private readonly IResourceStore _store;
    private readonly IEntityController<T> _controller;
    private readonly IEventRecorder _events;
    private readonly StatusWriter _status;
    private readonly OperatorMetrics _metrics;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly WorkQueue<ResourceKey> _queue;

    public EntityControllerRunner(
        IResourceStore store, IEntityController<T> controller, IEventRecorder events, StatusWriter status,
        OperatorMetrics metrics, ControllerOptions options, ILogger logger)
    {
        _store = store;
        _controller = controller;
        _events = events;
        _status = status;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        Kind = ApiGroup.EntityOf<T>().Kind;
        Finalizer = FinalizerOf(Kind);
        _queue = new WorkQueue<ResourceKey>(options.BackoffBase, options.BackoffMax);
    }

    public string Kind { get; }

    public string Finalizer { get; }

    public int QueueDepth => _queue.Depth;

    public static string FinalizerOf(string kind) => $"{ApiGroup.Group}/{kind.ToLowerInvariant()}";

    public void Enqueue(ResourceKey key)
    {
        _queue.Add(key);
        _metrics.QueueDepth.WithLabels(Kind).Set(_queue.Depth);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Workers stop taking keys when asked to stop, but a reconcile in flight gets a grace period to finish
        // (a half-written status is worse than a slightly later exit).
        using var hard = new CancellationTokenSource();
        await using var registration = cancellationToken.Register(() =>
        {
            _queue.ShutDown();
            hard.CancelAfter(_options.ShutdownGrace);
        });
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => WorkAsync(hard.Token)).ToArray();
        await Task.WhenAll(workers);
    }

    public void Dispose() => _queue.Dispose();

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var taken = await _queue.TakeAsync(CancellationToken.None);
            if (taken == default)
            {
                return;
            }

            var key = taken;
            _metrics.QueueDepth.WithLabels(Kind).Set(_queue.Depth);
            try
            {
                await ProcessAsync(key, cancellationToken);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    private async Task ProcessAsync(ResourceKey key, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["kind"] = key.Kind, ["namespace"] = key.Namespace, ["name"] = key.Name });
        var stopwatch = Stopwatch.StartNew();
        string result;
        try
        {
            var next = await ReconcileKeyAsync(key, cancellationToken);
            _queue.Forget(key);
            if (next is { } delay)
            {
                _queue.AddAfter(key, delay);
                result = "requeue";
            }
            else
            {
                result = "success";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = "cancelled";
        }
        catch (Exception ex)
        {
            result = "error";
            _metrics.Errors.WithLabels(Kind).Inc();
            var failures = _queue.Failures(key);
            // Conflicts are routine under concurrent writers; only repeated failures deserve a warning.
            var level = ex is ConflictException || failures == 0 ? LogLevel.Information : LogLevel.Warning;
            _logger.Log(level, ex, "Reconcile of {Key} failed (attempt {Attempt}); retrying with backoff", key, failures + 1);
            _queue.AddRateLimited(key);
        }

        _metrics.Reconciles.WithLabels(Kind, result).Inc();
        _metrics.Duration.WithLabels(Kind).Observe(stopwatch.Elapsed.TotalSeconds);
    }

    private async Task<TimeSpan?> ReconcileKeyAsync(ResourceKey key, CancellationToken cancellationToken)
    {
        var resource = _store.Get<T>(key.Namespace, key.Name);
        if (resource is null)
        {
            return null;
        }

        var finalizers = resource.Metadata.Finalizers ?? [];
        if (resource.Metadata.DeletionTimestamp is not null)
        {
            return finalizers.Contains(Finalizer) ? await RunFinalizerAsync(resource, cancellationToken) : null;
        }

        if (!finalizers.Contains(Finalizer))
        {
            resource = await _status.UpdateMetadataAsync(resource, r => AddFinalizer(r, Finalizer), cancellationToken);
        }

        var outcome = await _controller.ReconcileAsync(resource, cancellationToken);
        return outcome.RequeueAfter;
    }

    private async Task<TimeSpan?> RunFinalizerAsync(T resource, CancellationToken cancellationToken)
    {
        var outcome = await _controller.FinalizeAsync(resource, cancellationToken);
        if (!outcome.Finished)
        {
            await _status.UpdateAsync(resource, r =>
            {
                r.CommonStatus.Phase = Phases.DeletePending;
                Conditions.Set(r.CommonStatus, ConditionTypes.Ready, false, outcome.BlockedReason ?? "DeletionBlocked", outcome.BlockedMessage ?? string.Empty, r.Metadata.Generation, _status.Time);
            }, cancellationToken);
            return outcome.RetryAfter;
        }

        await _status.UpdateMetadataAsync(resource, r => r.Metadata.Finalizers?.Remove(Finalizer) == true, cancellationToken);
        await _events.RecordAsync(resource, "Deleted", $"{Kind} {resource.Metadata.Name} cleaned up; finalizer {Finalizer} removed", warning: false, cancellationToken);
        return null;
    }

    private static bool AddFinalizer(T resource, string finalizer)
    {
        resource.Metadata.Finalizers ??= [];
        if (resource.Metadata.Finalizers.Contains(finalizer))
        {
            return false;
        }

        resource.Metadata.Finalizers.Add(finalizer);
        return true;
    }
}
