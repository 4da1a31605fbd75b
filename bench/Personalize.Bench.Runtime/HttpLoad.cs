using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Runtime;
using Personalize.Runtime.Serving;

namespace Personalize.Bench.Runtime;

/// <summary>
/// The real runtime (RuntimeApp, Kestrel on loopback, the model loaded from a folder store) under GetRecommendations
/// load: closed loop (a fixed number of clients, each sending its next request when the last is answered) to find
/// the capacity, and open loop (requests at a fixed rate, latency counted from when each was due) to see latency below it.
/// </summary>
public sealed class HttpLoad(IObjectStore store, S3Uri group, S3Uri model, ScoringSettings scoring, string scoringMethod) : IAsyncDisposable
{
    private const string CampaignArn = "arn:k8s:personalize:bench::campaign/bench";
    private WebApplication? _app;
    private HttpClient? _client;

    public async Task StartAsync()
    {
        var port = FreePort();
        var config = new RuntimeConfig { CampaignArn = CampaignArn, ModelUri = model.ToString(), DatasetGroupUri = group.ToString(), Scoring = scoring };
        config.CampaignConfig.ScoringMethod = scoringMethod;
        _app = RuntimeApp.Create(config, store, ["--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync();
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        while (!(await _client.GetAsync("/readyz")).IsSuccessStatusCode)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>Passes over the item table and the queries they scored so far (batching only).</summary>
    public (long Passes, long Queries) BatchCounts() =>
        (_app!.Services.GetRequiredService<CampaignHost>().State?.Recommender as HrnnRecommender)?.BatchCounts ?? (0, 0);

    /// <summary>Requests/s, latencies and process CPU µs per request (server and load generator: an upper bound for the server).</summary>
    public async Task<(double RequestsPerSecond, Latencies Latencies, double CpuMicrosPerRequest)> ClosedLoopAsync(int clients, TimeSpan duration)
    {
        var measured = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(async id =>
        {
            var random = new Random(id);
            var latencies = new Latencies();
            while (measured.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await RequestAsync(random);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }

            return latencies;
        }));
        var elapsed = measured.Elapsed.TotalSeconds;
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        var all = new Latencies();
        foreach (var result in results)
        {
            all.AddRange(result);
        }

        return (all.Count / elapsed, all, cpuMicros / all.Count);
    }

    /// <summary>Requests sent at a fixed rate whatever the answers' pace; each latency runs from the request's due time.</summary>
    public async Task<(double RequestsPerSecond, Latencies Latencies)> OpenLoopAsync(double rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new Latencies();
        var random = new Random(7);
        var start = Stopwatch.GetTimestamp();
        var pending = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var user = new Random(random.Next());
            pending.Add(Task.Run(async () =>
            {
                await RequestAsync(user);
                var micros = Stopwatch.GetElapsedTime(due).TotalMicroseconds;
                lock (latencies)
                {
                    latencies.Add(micros);
                }
            }));
        }

        await Task.WhenAll(pending);
        return (total / Stopwatch.GetElapsedTime(start).TotalSeconds, latencies);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task RequestAsync(Random random)
    {
        var body = $"{{\"campaignArn\":\"{CampaignArn}\",\"userId\":\"user-{random.Next(SyntheticModel.Users)}\",\"numResults\":25}}";
        using var response = await _client!.PostAsync("/recommendations", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
