using k8s;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.Tests;

/// <summary>An in-process cluster-mode operator with test timings (short polls, backoff, resync), stopped on dispose.</summary>
public sealed class RunningOperator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Kubernetes _client;

    private RunningOperator(Kubernetes client, OperatorHost host, CancellationTokenSource stop)
    {
        _client = client;
        Host = host;
        _stop = stop;
        Run = Task.Run(() => host.RunAsync(stop.Token));
    }

    public OperatorHost Host { get; }

    public Task Run { get; }

    /// <param name="client">The operator's API client: the test's admin by default, or one with the operator's own RBAC.</param>
    /// <param name="loggers">Where the operator logs: the environment's console by default.</param>
    public static async Task<RunningOperator> StartAsync(
        OperatorEnvironment env, string @namespace, Func<OperatorSettings, OperatorSettings>? tune = null, InformerOptions? informers = null,
        Kubernetes? client = null, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null, IObjectStore? objects = null, TimeSpan? shutdownGrace = null)
    {
        var settings = new OperatorSettings
        {
            Bucket = env.Bucket,
            WatchNamespaces = [@namespace],
            LeaderElection = false,
            LeaseNamespace = @namespace,
            PollInterval = TimeSpan.FromSeconds(1),
            ResyncPeriod = TimeSpan.FromSeconds(30),
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(250),
            Identity = $"operator-{Guid.NewGuid():N}"[..17],
        };
        settings = tune?.Invoke(settings) ?? settings;
        client ??= env.Client();
        var host = ClusterOperator.Create(
            client, objects ?? env.Objects, settings, loggers ?? env.Loggers,
            informers ?? new InformerOptions { ResyncPeriod = settings.ResyncPeriod, WatchTimeout = TimeSpan.FromSeconds(20), RetryBase = TimeSpan.FromMilliseconds(100), RetryMax = TimeSpan.FromSeconds(1) },
            new ControllerOptions { Workers = 4, BackoffBase = TimeSpan.FromMilliseconds(50), BackoffMax = TimeSpan.FromSeconds(2), ShutdownGrace = shutdownGrace ?? TimeSpan.FromSeconds(5) });
        var running = new RunningOperator(client, host, new CancellationTokenSource());
        return await running.WaitReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            // Stopped as asked.
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task<RunningOperator> WaitReadyAsync()
    {
        await Testing.Wait.UntilAsync(() => Host.IsReady || Run.IsFaulted, TimeSpan.FromSeconds(30), "operator caches to sync");
        if (Run.IsFaulted)
        {
            await Run;
        }

        return this;
    }
}
