using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Personalize.Bench.Runtime;

/// <summary>What one load run measured, as the generator process prints it (latencies in µs; the warm-up's requests are not in them).</summary>
public sealed record LoadResult(int WarmUpRequests, int Requests, double Seconds, double P50Micros, double P99Micros, double GeneratorCpuMicros)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>
/// The client side of the HTTP runs, in a process of its own: in the server's process its continuations queued on
/// the server's thread pool behind scoring work, and an open-loop request that left late counted the client's wait as
/// the server's latency. Closed loop: a fixed number of keep-alive clients, each sending its next request when the
/// last is answered. Open loop: requests at a fixed rate, paced by a dedicated thread, each latency counted from the
/// request's due time whatever the answers' pace.
/// </summary>
public static class LoadGenerator
{
    public const string Verb = "load";

    /// <summary>Runs `load --url U --campaign-arn A --mode closed|open --clients N --rate R --seconds S` and prints its <see cref="LoadResult"/> as JSON.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string Option(string name) =>
            args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{Verb}: {name} is required.");
        var url = new Uri(Option("--url"));
        var campaignArn = Option("--campaign-arn");
        var seconds = double.Parse(Option("--seconds"), CultureInfo.InvariantCulture);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = url };
        var requests = new Requests(client, campaignArn);
        // This process's own JIT and connection pool warm first, so they are not counted as the server's latency.
        var (warmUp, _) = await ClosedLoopAsync(requests, 4, TimeSpan.FromSeconds(0.5));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (latencies, elapsed) = Option("--mode") switch
        {
            "closed" => await ClosedLoopAsync(requests, int.Parse(Option("--clients"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds)),
            "open" => await OpenLoopAsync(requests, double.Parse(Option("--rate"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds)),
            var other => throw new ArgumentException($"{Verb}: --mode {other} is not closed or open."),
        };
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        Console.WriteLine(JsonSerializer.Serialize(new LoadResult(warmUp.Count, latencies.Count, elapsed, latencies.Percentile(50), latencies.Percentile(99), cpuMicros)));
        return 0;
    }

    private static async Task<(Latencies, double)> ClosedLoopAsync(Requests requests, int clients, TimeSpan duration)
    {
        var measured = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(async id =>
        {
            var random = new Random(id);
            var latencies = new Latencies();
            while (measured.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await requests.SendAsync(random);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }

            return latencies;
        }));
        var elapsed = measured.Elapsed.TotalSeconds;
        var all = new Latencies();
        foreach (var result in results)
        {
            all.AddRange(result);
        }

        return (all, elapsed);
    }

    private static async Task<(Latencies, double)> OpenLoopAsync(Requests requests, double rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new Latencies();
        var pending = new Task[total];
        var start = Stopwatch.GetTimestamp();

        // A thread of its own for the pacing, so that a busy thread pool never delays a request's departure.
        var pacer = new Thread(() =>
        {
            var random = new Random(7);
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i / rate * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }

                var user = new Random(random.Next());
                pending[i] = SendAsync(user, due);
            }
        })
        { IsBackground = true, Name = "open-loop pacer" };
        pacer.Start();
        pacer.Join();
        await Task.WhenAll(pending);
        return (latencies, Stopwatch.GetElapsedTime(start).TotalSeconds);

        async Task SendAsync(Random user, long due)
        {
            await requests.SendAsync(user);
            var micros = Stopwatch.GetElapsedTime(due).TotalMicroseconds;
            lock (latencies)
            {
                latencies.Add(micros);
            }
        }
    }

    /// <summary>GetRecommendations for a random one of the synthetic model's users.</summary>
    private sealed class Requests(HttpClient client, string campaignArn)
    {
        public async Task SendAsync(Random random)
        {
            var body = $"{{\"campaignArn\":\"{campaignArn}\",\"userId\":\"user-{random.Next(SyntheticModel.Users)}\",\"numResults\":25}}";
            using var response = await client.PostAsync("/recommendations", new StringContent(body, Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
        }
    }
}
