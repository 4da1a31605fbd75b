using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Personalize.Bench.Runtime;

/// <summary>What one load run measured, as the generator process prints it (latencies in µs; the warm-up's requests are not in them).</summary>
public sealed record LoadResult(int WarmUpRequests, int Requests, double Seconds, double P50Micros, double P99Micros, double GeneratorCpuMicros, CpuShare? Cpu = null)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>
/// The client side of the HTTP runs, in a process of its own: in the server's process its continuations queued on
/// the server's thread pool behind scoring work, and an open-loop request that left late counted the client's wait as
/// the server's latency. Closed loop: a fixed number of keep-alive clients, each sending its next request when the
/// last is answered. Open loop: requests at a fixed rate, paced by a dedicated thread, each latency counted from the
/// request's due time whatever the answers' pace. With --trace, an open-loop run also writes each request's due,
/// sent and answered times (Stopwatch ticks: CLOCK_MONOTONIC, the server's clock too) and this process's
/// <see cref="SchedulingProbe"/> wake-ups to a file, for <see cref="TailAnalysis"/>.
/// </summary>
public static class LoadGenerator
{
    public const string Verb = "load";

    /// <summary>Runs `load --url U --campaign-arn A --server-pid P --mode closed|open --clients N --rate R --seconds S [--trace FILE]` and prints its <see cref="LoadResult"/> as JSON.</summary>
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
        var trace = args.SkipWhile(a => a != "--trace").Skip(1).FirstOrDefault();
        var serverPid = int.Parse(Option("--server-pid"), CultureInfo.InvariantCulture);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var share = CpuShare.Start(serverPid);
        using var probe = trace is null ? null : new SchedulingProbe();
        var (latencies, elapsed) = Option("--mode") switch
        {
            "closed" => await ClosedLoopAsync(requests, int.Parse(Option("--clients"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds)),
            "open" => await OpenLoopAsync(requests, double.Parse(Option("--rate"), CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds), trace, probe),
            var other => throw new ArgumentException($"{Verb}: --mode {other} is not closed or open."),
        };
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        Console.WriteLine(JsonSerializer.Serialize(new LoadResult(warmUp.Count, latencies.Count, elapsed, latencies.Percentile(50), latencies.Percentile(99), cpuMicros, share())));
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

    private static async Task<(Latencies, double)> OpenLoopAsync(Requests requests, double rate, TimeSpan duration, string? trace, SchedulingProbe? probe)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new Latencies();
        var pending = new Task[total];
        var (dues, sents, dones) = (new long[total], new long[total], new long[total]);
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
                (dues[i], sents[i]) = (due, Stopwatch.GetTimestamp());
                pending[i] = SendAsync(user, i);
            }
        })
        { IsBackground = true, Name = "open-loop pacer" };
        pacer.Start();
        pacer.Join();
        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (trace is not null)
        {
            await WriteTraceAsync(trace, dues, sents, dones, probe!.Stop());
        }

        return (latencies, elapsed);

        async Task SendAsync(Random user, int id)
        {
            await requests.SendAsync(user, id);
            dones[id] = Stopwatch.GetTimestamp();
            var micros = Stopwatch.GetElapsedTime(dues[id], dones[id]).TotalMicroseconds;
            lock (latencies)
            {
                latencies.Add(micros);
            }
        }
    }

    /// <summary>Lines `r,id,due,sent,answered` per request and `w,slept,late` per probe wake-up late by over 1 ms.</summary>
    private static async Task WriteTraceAsync(string path, long[] dues, long[] sents, long[] dones, IReadOnlyList<SchedulingProbe.Tick> ticks)
    {
        await using var writer = new StreamWriter(path);
        for (var i = 0; i < dues.Length; i++)
        {
            await writer.WriteLineAsync(FormattableString.Invariant($"r,{i},{dues[i]},{sents[i]},{dones[i]}"));
        }

        foreach (var tick in ticks.Where(t => t.Late > Stopwatch.Frequency / 1000))
        {
            await writer.WriteLineAsync(FormattableString.Invariant($"w,{tick.Slept},{tick.Late}"));
        }
    }

    /// <summary>GetRecommendations for a random one of the synthetic model's users; a traced request carries its number.</summary>
    private sealed class Requests(HttpClient client, string campaignArn)
    {
        public async Task SendAsync(Random random, int id = -1)
        {
            var body = $"{{\"campaignArn\":\"{campaignArn}\",\"userId\":\"user-{random.Next(SyntheticModel.Users)}\",\"numResults\":25}}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/recommendations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (id >= 0)
            {
                request.Headers.Add(ServerTrace.RequestHeader, id.ToString(CultureInfo.InvariantCulture));
            }

            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
        }
    }
}
