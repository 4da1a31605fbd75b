using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.Tests;

/// <summary>
/// An in-process cluster-mode operator as `personalize run` registers it (a hosted service, with its endpoints),
/// with test timings (short polls, backoff, resync); stopped as on SIGTERM on dispose.
/// </summary>
public sealed class RunningOperator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Kubernetes _client;

    private RunningOperator(Kubernetes client, WebApplication app)
    {
        _client = client;
        _app = app;
        Host = app.Services.GetRequiredService<OperatorHost>();
    }

    public OperatorHost Host { get; }

    /// <summary>Where /metrics, /healthz and /readyz are served.</summary>
    public string Url => _app.Url();

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
        var app = await OperatorWebApp.StartAsync(loggers ?? env.Loggers, services => services
            .AddSingleton(settings)
            .AddSingleton<IKubernetes>(client)
            .AddSingleton<IObjectStore>(objects ?? env.Objects)
            .AddSingleton(new ControllerOptions { Workers = 4, BackoffBase = TimeSpan.FromMilliseconds(50), BackoffMax = TimeSpan.FromSeconds(2), ShutdownGrace = shutdownGrace ?? TimeSpan.FromSeconds(5) })
            .AddPersonalizeClusterOperator(informers ?? new InformerOptions { ResyncPeriod = settings.ResyncPeriod, WatchTimeout = TimeSpan.FromSeconds(20), RetryBase = TimeSpan.FromMilliseconds(100), RetryMax = TimeSpan.FromSeconds(1) })
            .AddHostedService<OperatorService>());
        var running = new RunningOperator(client, app);
        return await running.WaitReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _client.Dispose();
    }

    private async Task<RunningOperator> WaitReadyAsync()
    {
        await Testing.Wait.UntilAsync(() => Host.IsReady || Host.Fault is not null, TimeSpan.FromSeconds(30), "operator caches to sync");
        return Host.Fault is { } fault ? throw new InvalidOperationException($"the operator failed to start: {fault.Message}", fault) : this;
    }
}
