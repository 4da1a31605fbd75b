using k8s;
using Microsoft.Extensions.Logging;
using Personalize.Gateway;
using Personalize.Gateway.Auth;
using Personalize.Gateway.Routing;
using Personalize.Operator.Cluster;
using Personalize.Operator.Controllers;

namespace Personalize.Operator.GatewayMode;

/// <summary>
/// `personalize gateway`: the Personalize API on one endpoint in a cluster. Resources are read through the same
/// caches the operator uses (every namespace) and written to the API server; every call must be signed (SigV4) with a
/// key from a Secret in the gateway's namespace (POD_NAMESPACE), and acts only in that key's namespace. With
/// PERSONALIZE_WATCH_NAMESPACE (the chart's operator.watchNamespace) it caches and serves that namespace alone.
/// </summary>
public static class GatewayVerb
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var port = args is ["--port", var value] && int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p
            : int.TryParse(Environment.GetEnvironmentVariable("PERSONALIZE_GATEWAY_PORT"), System.Globalization.CultureInfo.InvariantCulture, out var e) ? e : 8080;
        var keyNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "default";
        // The operator's one namespace, when it has one: the gateway then caches and serves only that tenant.
        var watchNamespace = Environment.GetEnvironmentVariable("PERSONALIZE_WATCH_NAMESPACE") is { Length: > 0 } watched ? watched : null;

        using var loggers = LoggerFactory.Create(b => b.AddJsonConsole(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        }).SetMinimumLevel(LogLevel.Information));
        var logger = loggers.CreateLogger("personalize-gateway");
        using var stop = new ShutdownSignal();

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig());
        var store = new KubernetesResourceStore(client, watchNamespace, new InformerOptions(), new OperatorMetrics(), loggers);
        await store.StartAsync(stop.Token);
        var options = new GatewayOptions
        {
            Port = port, ListenOnAllInterfaces = true, AccessKeys = new SecretAccessKeys(client, keyNamespace, TimeProvider.System),
            RuntimeAccess = new ClusterRuntimeAccess(client, TimeProvider.System),
        };
        await using var gateway = await GatewayServer.StartAsync(store, options, loggers, stop.Token);
        logger.LogInformation("personalize gateway serving on port {Port}; access keys from Secrets labelled {Label}=true in namespace {Namespace}", port, SecretAccessKeys.Label, keyNamespace);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM: the normal way out.
        }

        await store.Completion.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }
}
