using Prometheus;

namespace Personalize.Runtime.Metrics;

/// <summary>
/// What /metrics exposes. A registry per host (not prometheus-net's static one), so two runtimes in one process
/// (tests, benchmarks) keep separate counts.
/// </summary>
public sealed class RuntimeMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _eventsAccepted;
    private readonly Counter _eventsApplied;
    private readonly Counter _shed;
    private readonly Counter _realtimeReadFailures;
    private readonly Counter _servedLists;
    private readonly Gauge _modelInfo;
    private readonly Gauge _modelItems;
    private readonly Gauge _observedTps;
    private readonly Gauge _capacityTps;
    private readonly Gauge _scoring;
    private readonly RequestRate _rate = new();

    public RuntimeMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("personalize_runtime_requests_total", "Requests served, by operation and HTTP status.",
            new CounterConfiguration { LabelNames = ["operation", "status"] });
        _duration = factory.CreateHistogram("personalize_runtime_request_duration_seconds", "Request latency by operation.",
            new HistogramConfiguration
            {
                LabelNames = ["operation"],
                Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18),
            });
        _eventsAccepted = factory.CreateCounter("personalize_runtime_events_accepted_total", "PutEvents events durably written and acknowledged.");
        _eventsApplied = factory.CreateCounter("personalize_runtime_realtime_records_applied_total",
            "Real-time records applied to this replica's state, by origin (local: this replica; peer: read from the store).",
            new CounterConfiguration { LabelNames = ["origin"] });
        _realtimeReadFailures = factory.CreateCounter("personalize_runtime_realtime_read_failures_total",
            "Polls of the real-time records that failed to list or read an object, by dataset type; the object is retried next poll.",
            new CounterConfiguration { LabelNames = ["dataset_type"] });
        _servedLists = factory.CreateCounter("personalize_runtime_served_lists_total",
            "Recommendation lists kept by recommendationId for training's implicit impressions, by outcome (stored, or dropped: queue full or write failed).",
            new CounterConfiguration { LabelNames = ["outcome"] });
        _shed = factory.CreateCounter("personalize_runtime_requests_shed_total", "Requests refused with 429 above the campaign's rate limit.");
        // campaign is the Campaign's name, as the operator's per-campaign series label it, so dashboards can join the two.
        _modelInfo = factory.CreateGauge("personalize_runtime_model_info", "The model served (value 1), labelled with its campaign (name and ARN) and version.",
            new GaugeConfiguration { LabelNames = ["campaign", "campaign_arn", "solution_version", "recipe"] });
        _modelItems = factory.CreateGauge("personalize_runtime_model_items", "Items the served model can recommend.");
        _observedTps = factory.CreateGauge("personalize_runtime_observed_tps",
            "Recommendation and ranking requests per second over the last 10 seconds (what the operator scales on).");
        _capacityTps = factory.CreateGauge(CapacityMetric,
            "Requests per second this replica serves at 70% of its CPU, measured on the loaded model at start-up (the operator's tpsPerReplica).");
        _scoring = factory.CreateGauge("personalize_runtime_scoring_info",
            "How recommendations are scored (value 1): method ann or exact, and why (campaignConfig.scoringMethod, catalogue size, the ANN index's recall gate).",
            new GaugeConfiguration { LabelNames = ["method", "reason"] });
        Registry.AddBeforeCollectCallback(() => _observedTps.Set(_rate.PerSecond()));
    }

    public const string CapacityMetric = "personalize_runtime_capacity_tps";

    public CollectorRegistry Registry { get; }

    public void Observe(string operation, int status, TimeSpan elapsed)
    {
        _requests.WithLabels(operation, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        _duration.WithLabels(operation).Observe(elapsed.TotalSeconds);
        if (operation is Operations.GetRecommendations or Operations.GetPersonalizedRanking)
        {
            _rate.Record();
        }
    }

    public void EventsAccepted(int count) => _eventsAccepted.Inc(count);

    public void RecordsApplied(string origin, int count) => _eventsApplied.WithLabels(origin).Inc(count);

    public void Shed() => _shed.Inc();

    public void ServedListsStored(int count) => _servedLists.WithLabels("stored").Inc(count);

    public void ServedListsDropped(int count) => _servedLists.WithLabels("dropped").Inc(count);

    public void Capacity(double requestsPerSecond) => _capacityTps.Set(requestsPerSecond);

    public void Scoring(string method, string reason) => _scoring.WithLabels(method, reason).Set(1);

    public void RealtimeReadFailed(string datasetType) => _realtimeReadFailures.WithLabels(datasetType).Inc();

    public void ModelLoaded(string campaign, string campaignArn, string solutionVersion, string recipe, int items)
    {
        _modelInfo.WithLabels(campaign, campaignArn, solutionVersion, recipe).Set(1);
        _modelItems.Set(items);
    }
}
