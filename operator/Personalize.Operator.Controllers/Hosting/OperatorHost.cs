using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Reconcilers;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// Runs the controllers of every kind over the two seams: caches first, then (while this replica leads, when leader
/// election is on) one runner per kind. Store changes reach the changed resource and, through the reference index,
/// its parents and children; workload changes reach their owner. Built by the container
/// (<see cref="OperatorServiceCollectionExtensions.AddPersonalizeOperator"/>): cluster mode and local mode register
/// different adapters behind the same seams.
/// </summary>
public sealed class OperatorHost
{
    private readonly IResourceStore _store;
    private readonly IWorkloadLauncher _launcher;
    private readonly ControllerContext _context;
    private readonly ControllerOptions _options;
    private readonly ILeadership? _leadership;
    private readonly ILogger _logger;
    private readonly ResourceReferences _references = new();
    private readonly IReadOnlyList<IControllerRegistration> _controllers;
    private readonly Lock _routing = new();
    private volatile Dictionary<string, IControllerRunner>? _runners;

    /// <param name="leadership">Registered in cluster mode; used when the settings turn leader election on.</param>
    public OperatorHost(
        ControllerContext context, IEnumerable<IControllerRegistration> controllers, OperatorMetrics metrics, ControllerOptions options, ILeadership? leadership = null)
    {
        _context = context;
        _store = context.Store;
        _launcher = context.Launcher;
        _options = options;
        _leadership = context.Settings.LeaderElection ? leadership : null;
        if (_leadership is not null && (context.Settings.LeaseDuration - context.Settings.RenewDeadline) / 2 is var budget && _options.ShutdownGrace > budget)
        {
            // A replica stops leading a renew deadline after its last renewal; another may take the lease a lease
            // duration after it. Reconciles still in flight must end well inside that gap, or two replicas reconcile.
            _options = _options with { ShutdownGrace = budget };
        }

        _logger = context.Loggers.CreateLogger<OperatorHost>();
        Metrics = metrics;
        _controllers = [.. controllers];
        foreach (var controller in _controllers)
        {
            // Published at zero, so rate() over it (dashboards, alerts) has a series before the first error.
            Metrics.Errors.WithLabels(controller.Kind).Publish();
        }

        Metrics.Registry.AddBeforeCollectCallback(() =>
        {
            foreach (var controller in _controllers)
            {
                controller.CountPhases(_store, Metrics);
            }

            Metrics.IsLeader.Set(IsLeader ? 1 : 0);
            Metrics.SetCampaigns(_store.List<Campaign>());
        });
        _store.Changed += OnResourceChanged;
        _launcher.OwnerChanged += Enqueue;
    }

    public OperatorMetrics Metrics { get; }

    /// <summary>True while this replica's controllers run (always, without leader election).</summary>
    public bool IsLeader => _runners is not null;

    /// <summary>True once the caches are filled and the workload watches started.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Set when the caches or the controllers stopped on an error: /healthz fails.</summary>
    public Exception? Fault { get; private set; }

    public IResourceStore Store => _store;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.StartAsync(cancellationToken);
            await _launcher.StartAsync(cancellationToken);
            IsReady = true;
            _logger.LogInformation("Caches synced; {Mode}", _leadership is null ? "reconciling" : "waiting for leadership");
            if (_leadership is null)
            {
                await LeadAsync(cancellationToken);
            }
            else
            {
                await _leadership.RunAsync(LeadAsync, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogInformation("Operator stopped");
        }
        catch (Exception ex)
        {
            Fault = ex;
            _logger.LogError(ex, "Operator stopped on an error");
            throw;
        }
    }

    /// <summary>Runs every controller until leadership ends (or the operator stops).</summary>
    private async Task LeadAsync(CancellationToken leadershipLost)
    {
        var runners = _controllers.Select(c => c.CreateRunner(_context, Metrics, _options)).ToDictionary(r => r.Kind, StringComparer.Ordinal);
        lock (_routing)
        {
            _runners = runners;
        }

        _logger.LogInformation("Reconciling {Kinds} kinds", runners.Count);
        try
        {
            foreach (var key in _controllers.SelectMany(c => c.Keys(_store)))
            {
                Enqueue(key);
            }

            await Task.WhenAll(runners.Values.Select(r => Task.Run(() => r.RunAsync(leadershipLost), CancellationToken.None)));
        }
        finally
        {
            // Only this term's routing: a term that began while this one finished must keep receiving events.
            lock (_routing)
            {
                if (ReferenceEquals(_runners, runners))
                {
                    _runners = null;
                }
            }

            foreach (var runner in runners.Values.OfType<IDisposable>())
            {
                runner.Dispose();
            }

            _logger.LogInformation("Controllers stopped");
        }
    }

    private void OnResourceChanged(ResourceEvent change)
    {
        var related = _references.Track(change);
        Enqueue(change.Key);
        foreach (var key in related)
        {
            Enqueue(key);
        }
    }

    private void Enqueue(ResourceKey key)
    {
        if (_runners is { } runners && runners.TryGetValue(key.Kind, out var runner))
        {
            runner.Enqueue(key);
        }
    }
}
