using System.Net;
using System.Text;
using Personalize.Operator.Controllers.Workloads;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>The operator sizes a campaign by the capacity its runtimes measured on their model, not one constant.</summary>
public sealed class RuntimeCapacityTests
{
    [Fact]
    public async Task Meter_ReadsTheSlowestReplicasPublishedCapacity_AlongsideTheRequestRate()
    {
        using var fast = new MetricsEndpoint(requests: 100, capacity: 900);
        using var slow = new MetricsEndpoint(requests: 50, capacity: 120);
        using var http = new HttpClient();
        var meter = new RuntimeTpsMeter(http, "personalize_runtime_requests_total", TimeProvider.System);
        var replicas = new Dictionary<string, string> { ["a"] = fast.Url, ["b"] = slow.Url };

        Assert.Null(meter.CapacityPerReplica("ns/movies"));
        await meter.MeasureAsync("ns/movies", replicas, CancellationToken.None);

        Assert.Equal(120, meter.CapacityPerReplica("ns/movies"));
        Assert.Equal("ann", meter.ScoringMethod("ns/movies"));
        meter.Forget("ns/movies");
        Assert.Null(meter.CapacityPerReplica("ns/movies"));
        Assert.Null(meter.ScoringMethod("ns/movies"));
    }

    [Fact]
    public async Task Meter_KeepsTheLastCapacity_WhenReplicasPublishNone()
    {
        using var measured = new MetricsEndpoint(requests: 10, capacity: 300);
        using var silent = new MetricsEndpoint(requests: 10, capacity: null);
        using var http = new HttpClient();
        var meter = new RuntimeTpsMeter(http, "personalize_runtime_requests_total", TimeProvider.System);

        await meter.MeasureAsync("ns/c", new Dictionary<string, string> { ["a"] = measured.Url }, CancellationToken.None);
        await meter.MeasureAsync("ns/c", new Dictionary<string, string> { ["a"] = silent.Url }, CancellationToken.None);

        Assert.Equal(300, meter.CapacityPerReplica("ns/c"));
    }

    [Fact]
    public async Task Meter_CountsAReplicaScrapedForTheFirstTime_AtTheOthersAverage_SoAScaleUpDoesNotReadAsADrop()
    {
        using var old = new MetricsEndpoint(requests: 1000, capacity: null);
        using var added = new MetricsEndpoint(requests: 0, capacity: null);
        using var http = new HttpClient();
        var time = new ManualTime();
        var meter = new RuntimeTpsMeter(http, "personalize_runtime_requests_total", time);

        Assert.Null(await meter.MeasureAsync("ns/c", new Dictionary<string, string> { ["a"] = old.Url }, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(10));
        old.Requests = 1500;
        // 50/s measured on the old replica; the new one, just added behind the Service, serves as much.
        Assert.Equal(100, await meter.MeasureAsync("ns/c", new Dictionary<string, string> { ["a"] = old.Url, ["b"] = added.Url }, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(10));
        old.Requests = 1800;
        added.Requests = 200;
        Assert.Equal(50, await meter.MeasureAsync("ns/c", new Dictionary<string, string> { ["a"] = old.Url, ["b"] = added.Url }, CancellationToken.None));
    }

    [Fact]
    public async Task Meter_ReadsNoRateFromScrapesMillisecondsApart_AndMeasuresFromTheWindowsStart()
    {
        using var replica = new MetricsEndpoint(requests: 100, capacity: null);
        using var http = new HttpClient();
        var time = new ManualTime();
        var meter = new RuntimeTpsMeter(http, "personalize_runtime_requests_total", time);
        var replicas = new Dictionary<string, string> { ["a"] = replica.Url };

        Assert.Null(await meter.MeasureAsync("ns/c", replicas, CancellationToken.None));
        // Two reconciles in a row: 3 requests in 10 ms would read as 300/s and scale the campaign up for minutes.
        time.Advance(TimeSpan.FromMilliseconds(10));
        replica.Requests = 103;
        Assert.Null(await meter.MeasureAsync("ns/c", replicas, CancellationToken.None));
        time.Advance(RuntimeTpsMeter.MinimumWindow);
        replica.Requests = 110;
        Assert.Equal(10 / (RuntimeTpsMeter.MinimumWindow.TotalSeconds + 0.01), await meter.MeasureAsync("ns/c", replicas, CancellationToken.None));
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    /// <summary>A real HTTP listener serving a runtime's /metrics text.</summary>
    private sealed class MetricsEndpoint : IDisposable
    {
        private readonly HttpListener _listener = new();

        public MetricsEndpoint(int requests, double? capacity)
        {
            Url = $"http://127.0.0.1:{FreePort.Next()}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            Requests = requests;
            // As prometheus-net writes the runtime's info gauge, reason quoted and escaped.
            var capacityText = capacity is { } c
                ? $"# TYPE {RuntimeTpsMeter.CapacityMetric} gauge\n{RuntimeTpsMeter.CapacityMetric} {c}\n{RuntimeTpsMeter.ScoringMetric}{{method=\"ann\",reason=\"campaignConfig.scoringMethod is \\\"ann\\\"\"}} 1\n"
                : string.Empty;
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var context = await _listener.GetContextAsync();
                        var body = Encoding.UTF8.GetBytes($"personalize_runtime_requests_total{{operation=\"GetRecommendations\",status=\"200\"}} {Requests}\n{capacityText}");
                        await context.Response.OutputStream.WriteAsync(body);
                        context.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public string Url { get; }

        public int Requests { get; set; }

        public void Dispose() => _listener.Close();
    }
}
