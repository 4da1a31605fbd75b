using System.Collections.Concurrent;
using System.Globalization;

namespace Personalize.Operator.Controllers.Workloads;

/// <summary>
/// Turns the request counters scraped from runtime replicas' /metrics into requests per second: the sum over
/// replicas of (counter now - counter at the previous scrape) / elapsed time, replicas seen for the first time counted at
/// the measured replicas' average. A counter that went down is a restarted replica and counts from zero. A rate is read
/// over <see cref="MinimumWindow"/> at least: reconciles can follow each other within milliseconds, and a few requests
/// over such a gap read as hundreds per second, a scale-up that the scale-down stabilization then holds for minutes.
/// The same scrape reads the capacity each replica measured for its model, and how it scores.
/// </summary>
public sealed class RuntimeTpsMeter(HttpClient http, string metricName, TimeProvider time)
{
    /// <summary>The runtime's gauge: requests/s one replica serves at 70% CPU, measured on its model at start-up.</summary>
    public const string CapacityMetric = "personalize_runtime_capacity_tps";

    /// <summary>The runtime's info gauge whose method label is exact or ann.</summary>
    public const string ScoringMetric = "personalize_runtime_scoring_info";

    /// <summary>The shortest time between two scrapes of a replica that a rate is read from.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Dictionary<string, (double Count, DateTimeOffset At)>> _previous = new();
    private readonly ConcurrentDictionary<string, double> _capacity = new();
    private readonly ConcurrentDictionary<string, string> _scoring = new();

    /// <summary>Scrapes each replica (id → base URL); null until some replica has two scrapes <see cref="MinimumWindow"/> apart.</summary>
    public async Task<double?> MeasureAsync(string campaign, IReadOnlyDictionary<string, string> replicas, CancellationToken cancellationToken)
    {
        var previous = _previous.GetOrAdd(campaign, _ => []);
        var now = new Dictionary<string, (double, DateTimeOffset)>();
        double? rate = null;
        var measuredReplicas = 0;
        double? capacity = null;
        foreach (var (id, baseUrl) in replicas)
        {
            double count;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                var text = await http.GetStringAsync(baseUrl.TrimEnd('/') + "/metrics", timeout.Token);
                count = SumCounter(text, metricName);
                // The slowest replica's figure: replicas share one model but may land on slower nodes.
                if (SumCounter(text, CapacityMetric) is > 0 and var published)
                {
                    capacity = Math.Min(capacity ?? double.MaxValue, published);
                }

                if (LabelValue(text, ScoringMetric, "method") is { } method)
                {
                    _scoring[campaign] = method;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            var at = time.GetUtcNow();
            if (previous.TryGetValue(id, out var before))
            {
                if (at - before.At < MinimumWindow)
                {
                    // Too soon to read a rate: the earlier scrape stays the start of this replica's window.
                    now[id] = before;
                    continue;
                }

                var delta = count >= before.Count ? count - before.Count : count;
                rate = (rate ?? 0) + (delta / (at - before.At).TotalSeconds);
                measuredReplicas++;
            }

            now[id] = (count, at);
        }

        _previous[campaign] = now;
        // A replica scraped for the first time (just scaled up or restarted), or too soon after its last scrape, has no rate
        // yet but takes its share of the load through the Service: counting it as zero would read a scale-up as a drop.
        if (rate is { } partial && now.Count > measuredReplicas)
        {
            rate = partial * now.Count / measuredReplicas;
        }

        if (capacity is { } measured)
        {
            _capacity[campaign] = measured;
        }

        return rate;
    }

    /// <summary>The capacity per replica the campaign's runtimes published at the last scrape that found one; null before.</summary>
    public double? CapacityPerReplica(string campaign) => _capacity.TryGetValue(campaign, out var value) ? value : null;

    /// <summary>How the campaign's runtimes score (exact or ann) at the last scrape that said; null before.</summary>
    public string? ScoringMethod(string campaign) => _scoring.TryGetValue(campaign, out var value) ? value : null;

    public void Forget(string campaign)
    {
        _previous.TryRemove(campaign, out _);
        _capacity.TryRemove(campaign, out _);
        _scoring.TryRemove(campaign, out _);
    }

    /// <summary>A label's value on the first sample of a metric in Prometheus text format; null when absent.</summary>
    public static string? LabelValue(string exposition, string metricName, string label)
    {
        var prefix = metricName + "{";
        var key = label + "=\"";
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            // Label values escape quotes as \", so a value ends at the first unescaped quote.
            var start = line.IndexOf(key, prefix.Length, StringComparison.Ordinal);
            if (start < 0 || (line[start - 1] != '{' && line[start - 1] != ','))
            {
                return null;
            }

            start += key.Length;
            for (var end = start; end < line.Length; end++)
            {
                if (line[end] == '"' && line[end - 1] != '\\')
                {
                    return line[start..end];
                }
            }

            return null;
        }

        return null;
    }

    /// <summary>Sums every sample of a counter in Prometheus text format (all label sets).</summary>
    public static double SumCounter(string exposition, string metricName)
    {
        var sum = 0.0;
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(metricName, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[metricName.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' '))
            {
                continue;
            }

            var valueStart = rest[0] == '{' ? rest.IndexOf('}', StringComparison.Ordinal) + 1 : 0;
            var parts = rest[valueStart..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sum += value;
            }
        }

        return sum;
    }
}
