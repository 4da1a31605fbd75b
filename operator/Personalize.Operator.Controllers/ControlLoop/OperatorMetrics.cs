using Personalize.Api;
using Prometheus;

namespace Personalize.Operator.Controllers.ControlLoop;

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
        CampaignProvisionedTps = factory.CreateGauge(
            "personalize_operator_campaign_provisioned_tps", "A campaign's spec.minProvisionedTPS (1 when unset): the load its replicas are sized for.", "namespace", "campaign");
        CampaignReplicas = factory.CreateGauge(
            "personalize_operator_campaign_replicas", "A campaign's runtime replicas, by state (desired: what the operator asks for; ready: serving).", "namespace", "campaign", "state");
    }

    public Gauge CampaignProvisionedTps { get; }

    public Gauge CampaignReplicas { get; }

    /// <summary>Sets the per-campaign gauges from the cache, dropping the series of campaigns that are gone.</summary>
    public void SetCampaigns(IReadOnlyList<Campaign> campaigns)
    {
        foreach (var labels in CampaignProvisionedTps.GetAllLabelValues().ToList())
        {
            CampaignProvisionedTps.RemoveLabelled(labels);
        }

        foreach (var labels in CampaignReplicas.GetAllLabelValues().ToList())
        {
            CampaignReplicas.RemoveLabelled(labels);
        }

        foreach (var campaign in campaigns)
        {
            var ns = campaign.Metadata.NamespaceProperty ?? "default";
            var name = campaign.Metadata.Name;
            CampaignProvisionedTps.WithLabels(ns, name).Set(campaign.Spec.MinProvisionedTPS ?? 1);
            CampaignReplicas.WithLabels(ns, name, "desired").Set(campaign.Status.DesiredReplicas ?? 0);
            CampaignReplicas.WithLabels(ns, name, "ready").Set(campaign.Status.ReadyReplicas ?? 0);
        }
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
