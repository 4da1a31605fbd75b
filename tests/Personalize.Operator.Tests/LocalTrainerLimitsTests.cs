using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// Local mode keeps a trainer run's Job limits, so the same manifest behaves alike on one machine and in a cluster:
/// resources.activeDeadlineSeconds stops a run and its processes, resources.backoffLimit retries a failed child,
/// gpus: 0 hides CUDA, and what needs a scheduler (cpu, memory, nodeSelector, tolerations) is logged as not applied.
/// </summary>
public sealed class LocalTrainerLimitsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-local-limits-");

    private string StoreRoot => Path.Combine(_root.FullName, "store");

    [Fact]
    public async Task ATrainerRunningPastActiveDeadlineSeconds_IsStoppedWithItsChildren_AndTheVersionFailsNamingTheField_AndGpusZeroHidesCuda_AndCpuIsLoggedAsNotApplied()
    {
        var warnings = new Warnings();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(warnings));
        await using var local = await StartAsync("fake-trainer-stuck.js", "{activeDeadlineSeconds: 5, gpus: 0, cpu: \"2\"}", loggers);
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);

        await Wait.UntilAsync(() => local.Store.Get<SolutionVersion>("default", "v1")?.Status.Phase == Phases.CreateFailed || run.IsCompleted, TimeSpan.FromSeconds(60), "v1 to be CREATE FAILED");

        var reason = local.Store.Get<SolutionVersion>("default", "v1")!.Status.FailureReason;
        Assert.Contains("DeadlineExceeded", reason, StringComparison.Ordinal);
        Assert.Contains("resources.activeDeadlineSeconds (5 s)", reason, StringComparison.Ordinal);
        var stuck = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(StoreRoot, "stuck.json")))!;
        foreach (var pid in stuck["pids"]!.AsArray().Select(p => p!.GetValue<int>()))
        {
            await Wait.UntilAsync(() => !IsRunning(pid), TimeSpan.FromSeconds(10), $"process {pid} of the stopped run to be gone");
        }

        Assert.Equal(string.Empty, stuck["cudaVisibleDevices"]?.GetValue<string>());
        Assert.Contains(warnings.Messages, m => m.Contains("resources.cpu not applied in local mode", StringComparison.Ordinal));
        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData(1, Phases.Active)]
    [InlineData(0, Phases.CreateFailed)]
    public async Task ATrainerThatCrashesOnce_IsRetriedUpToBackoffLimit(int backoffLimit, string phase)
    {
        await using var local = await StartAsync("fake-trainer-fails-once.js", $"{{backoffLimit: {backoffLimit}}}", NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);

        await Wait.UntilAsync(() => local.Store.Get<SolutionVersion>("default", "v1")?.Status.Phase is Phases.Active or Phases.CreateFailed || run.IsCompleted, TimeSpan.FromSeconds(60), "v1 to finish");

        var version = local.Store.Get<SolutionVersion>("default", "v1")!;
        Assert.Equal(phase, version.Status.Phase);
        var trainAttempts = (await File.ReadAllLinesAsync(Path.Combine(StoreRoot, "attempts.log"))).Count(l => l.StartsWith("train ", StringComparison.Ordinal));
        Assert.Equal(backoffLimit + 1, trainAttempts);
        if (phase == Phases.CreateFailed)
        {
            Assert.Contains("attempt 1 of 1, resources.backoffLimit 0", version.Status.FailureReason, StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        await run;
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>Local mode over the quickstart chain, v1 with <paramref name="resources"/>, trained by the fake <paramref name="trainer"/>.</summary>
    private async Task<LocalOperatorUnderTest> StartAsync(string trainer, string resources, ILoggerFactory loggers)
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_root.FullName, "manifests")).FullName;
        var withResources = LocalModeTests.Manifests.Replace("spec: {solutionRef: {name: hrnn}}", $"spec: {{solutionRef: {{name: hrnn}}, resources: {resources}}}", StringComparison.Ordinal);
        Assert.NotEqual(LocalModeTests.Manifests, withResources);
        await File.WriteAllTextAsync(Path.Combine(manifests, "quickstart.yaml"), withResources);
        var fakes = Path.Combine(AppContext.BaseDirectory, "Fakes");
        var commands = new LocalCommands([InfraPaths.Node, Path.Combine(fakes, trainer)], [InfraPaths.Node, Path.Combine(fakes, "fake-runtime.js")], null, null);
        var settings = new OperatorSettings { Bucket = "personalize", PollInterval = TimeSpan.FromMilliseconds(500) };
        return await LocalOperatorUnderTest.StartAsync(manifests, Path.Combine(_root.FullName, "state"), StoreRoot, settings, commands, TextWriter.Null, loggers);
    }

    /// <summary>True while the process exists and is not a zombie waiting for its parent to reap it.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') is false;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The warnings logged, formatted.</summary>
    private sealed class Warnings : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(this);

        public void Dispose()
        {
        }

        private sealed class Collector(Warnings owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner.Messages.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
