using System.Globalization;
using Prometheus;

namespace Personalize.Gateway.Metrics;

/// <summary>
/// What the gateway's /metrics exposes: calls by Personalize operation and HTTP status, and their latency. A registry
/// per server (not prometheus-net's static one), so two gateways in one process keep separate counts. Operations are
/// the ones the gateway serves, and anything else counts as <see cref="Unknown"/>, so a client cannot grow the label set.
/// </summary>
public sealed class GatewayMetrics
{
    public const string Unknown = "Unknown";

    private readonly Counter _requests;
    private readonly Histogram _duration;

    public GatewayMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("personalize_gateway_requests_total", "Calls by Personalize operation and HTTP status.",
            new CounterConfiguration { LabelNames = ["operation", "status"] });
        _duration = factory.CreateHistogram("personalize_gateway_request_duration_seconds", "Call latency by Personalize operation, forwarding included.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
    }

    public CollectorRegistry Registry { get; }

    public void Record(string operation, int status, TimeSpan elapsed)
    {
        _requests.WithLabels(operation, status.ToString(CultureInfo.InvariantCulture)).Inc();
        _duration.WithLabels(operation).Observe(elapsed.TotalSeconds);
    }
}
