using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Personalize.Models.Recipes;
using Personalize.Runtime;
using Personalize.Runtime.Serving;

namespace Personalize.Bench.Runtime;

/// <summary>
/// The real runtime (RuntimeApp, Kestrel on loopback, the model loaded from a folder store) under GetRecommendations
/// load from a <see cref="LoadGenerator"/> process: closed loop to find the capacity, open loop to see latency below it.
/// This process serves and does nothing else meanwhile, so its CPU time is the server's. The open loop is traced:
/// each request's time in the server beside the generator's, for <see cref="TailAnalysis"/>.
/// </summary>
/// <param name="generator">Where the generator process runs: its CPUs (taskset's list; null: anywhere) and niceness (null: the server's).</param>
public sealed class HttpLoad(IObjectStore store, S3Uri group, S3Uri model, ScoringSettings scoring, string scoringMethod, GeneratorPlacement generator) : IAsyncDisposable
{
    private const string CampaignArn = "arn:k8s:personalize:bench::campaign/bench";
    private readonly ServerTrace _trace = new();
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

    /// <summary>Capacity: requests/s from closed-loop clients, their latencies, and the server's CPU µs per request.</summary>
    public async Task<ServedLoad> ClosedLoopAsync(int clients, TimeSpan duration) =>
        (await GenerateAsync($"--mode closed --clients {clients}", duration)).Load;

    /// <summary>
    /// Requests sent at a fixed rate whatever the answers' pace; each latency runs from the request's due time. Traced:
    /// the tail's analysis comes with it.
    /// </summary>
    public async Task<(ServedLoad Load, TailAnalysis Tail)> OpenLoopAsync(double rate, TimeSpan duration)
    {
        // The rate as the generator will read it, so that the server expects the requests the generator numbers.
        rate = Math.Round(rate, 1);
        var trace = Path.GetTempFileName();
        try
        {
            _trace.Arm((int)(rate * duration.TotalSeconds));
            using var probe = new SchedulingProbe();
            var (load, ticks) = await GenerateAsync(FormattableString.Invariant($"--mode open --rate {rate:F1} --trace {trace}"), duration, probe);
            var (begins, ends) = _trace.Disarm();
            return (load, new TailAnalysis(trace, begins, ends, ticks!, load.Result.Cpu!));
        }
        finally
        {
            File.Delete(trace);
        }
    }

    /// <summary>Runs the load generator (this program's `load` verb) as a process of its own and reads its result.</summary>
    private async Task<(ServedLoad Load, IReadOnlyList<SchedulingProbe.Tick>? Ticks)> GenerateAsync(string mode, TimeSpan duration, SchedulingProbe? probe = null)
    {
        string[] command =
        [
            .. generator.Nice is { } nice ? ["nice", "-n", nice.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
            .. generator.Cpus is { } cpus ? ["taskset", "--cpu-list", cpus] : Array.Empty<string>(),
            Environment.ProcessPath!,
        ];
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // A client's collector: server GC's collections would stall every request the generator has in flight.
        start.Environment["DOTNET_gcServer"] = "0";
        // Thread-pool settings tried on the server are not the client's.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_ThreadPool_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(HttpLoad).Assembly.Location);
        }

        var arguments = FormattableString.Invariant($"{LoadGenerator.Verb} --url {_client!.BaseAddress} --campaign-arn {CampaignArn} --server-pid {Environment.ProcessId} {mode} --seconds {duration.TotalSeconds}");
        foreach (var argument in arguments.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (collections, paused) = (GC.CollectionCount(0), GC.GetTotalPauseDuration());
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var ticks = probe?.Stop();
        var serverCpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        var (collectionsAfter, pausedAfter) = (GC.CollectionCount(0), GC.GetTotalPauseDuration());
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The load generator exited with {process.ExitCode}: {await errors}");
        }

        var result = JsonSerializer.Deserialize<LoadResult>(await output) ?? throw new InvalidDataException("The load generator printed no result.");
        // The server's CPU per request over every request it answered, the generator's warm-up included.
        var served = result.WarmUpRequests + result.Requests;
        return (new ServedLoad(result, serverCpuMicros / served, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / served, collectionsAfter - collections, pausedAfter - paused), ticks);
    }

    public async ValueTask DisposeAsync()
    {
        _trace.Dispose();
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A load run as the generator saw it, with the server's CPU and managed allocation per request and its garbage collections meanwhile.</summary>
public sealed record ServedLoad(LoadResult Result, double ServerCpuMicrosPerRequest, long AllocatedBytesPerRequest, int Collections, TimeSpan GcPauses);

/// <summary>
/// Where the load generator runs: on its own CPUs (taskset), and at a niceness of its own, so that on a small machine
/// the client, which a real deployment runs elsewhere, does not wait behind the server's threads to stamp its answers.
/// </summary>
public sealed record GeneratorPlacement(string? Cpus, int? Nice);
