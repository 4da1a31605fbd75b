using Prometheus;

namespace Personalize.Operator.Controllers;

/// <summary>
/// The operator's Prometheus metrics, in a registry of its own so two operators in one process (tests) stay apart.
/// Resources by phase are computed at scrape time from the caches.
/// </summary>
public sealed class OperatorMetrics
{
    public OperatorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Reconciles = factory.CreateCounter("personalize_operator_reconciles_total", "Reconciles run, by kind and result (success, requeue, error).", "kind", "result");
        Errors = factory.CreateCounter("personalize_operator_reconcile_errors_total", "Reconciles that threw, by kind.", "kind");
        Duration = factory.CreateHistogram(
            "personalize_operator_reconcile_duration_seconds",
            "Time one reconcile took, by kind.",
            new HistogramConfiguration { LabelNames = ["kind"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 15) });
        QueueDepth = factory.CreateGauge("personalize_operator_workqueue_depth", "Keys waiting in the work queue, by kind.", "kind");
        ResourcesByPhase = factory.CreateGauge("personalize_operator_resources", "Resources in the cache, by kind and status.phase.", "kind", "phase");
        Relists = factory.CreateCounter("personalize_operator_cache_relists_total", "Full re-lists of a cache (start, 410 Gone, resync), by kind and reason.", "kind", "reason");
        IsLeader = factory.CreateGauge("personalize_operator_leader", "1 while this replica holds the leader Lease.");
    }

    public CollectorRegistry Registry { get; }

    public Counter Reconciles { get; }

    public Counter Errors { get; }

    public Histogram Duration { get; }

    public Gauge QueueDepth { get; }

    public Gauge ResourcesByPhase { get; }

    public Counter Relists { get; }

    public Gauge IsLeader { get; }
}
