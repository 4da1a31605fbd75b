using System.CommandLine;
using k8s;
using Microsoft.Extensions.Options;
using Personalize.Cli;
using Personalize.Gateway;
using Personalize.Gateway.Auth;
using Personalize.Gateway.Routing;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.GatewayMode;

/// <summary>
/// `personalize gateway`: the Personalize API on one endpoint in a cluster. Resources are read through the same
/// caches the operator uses (every namespace) and written to the API server; every call must be signed (SigV4) with a
/// key from a Secret in the gateway's namespace (POD_NAMESPACE), and acts only in that key's namespace. With
/// PERSONALIZE_WATCH_NAMESPACES (the chart's operator.watchNamespaces) it caches and serves those namespaces alone.
/// </summary>
public static class GatewayVerb
{
    public static Command Create(Option<string?> logFormat)
    {
        var port = new Option<int?>("--port") { Description = $"The port to serve on (default: {GatewaySettings.PortVariable}, else {GatewaySettings.DefaultPort})." };
        var command = new Command("gateway", "Serve the Personalize API for boto3 and the AWS CLI in a cluster; SigV4 keys come from Secrets.") { port };
        command.SetAction((parsed, _) => RunAsync(parsed.GetValue(port), parsed.GetValue(logFormat)));
        return command;
    }

    private static async Task<int> RunAsync(int? portFlag, string? logFormat)
    {
        var builder = CliHost.CreateBuilder(logFormat, ConsoleLogs.Json);
        builder.Services.AddOptions<GatewaySettings>()
            .Configure<IConfiguration>((settings, configuration) =>
            {
                if ((portFlag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? configuration[GatewaySettings.PortVariable]) is { Length: > 0 } text)
                {
                    settings.Port = int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
                }

                if (configuration[WatchedNamespaces.Variable] is { Length: > 0 } watched)
                {
                    try
                    {
                        settings.WatchNamespaces = WatchedNamespaces.Parse(watched);
                    }
                    catch (FormatException)
                    {
                        settings.WatchNamespaces = null;
                    }
                }
            })
            .Validate(settings => settings.Port is > 0 and <= 65535, $"--port ({GatewaySettings.PortVariable}) must be a port number between 1 and 65535")
            .Validate(settings => settings.WatchNamespaces is not null, $"{WatchedNamespaces.Variable} must be namespace names separated by commas")
            .ValidateOnStart();
        using var host = builder.Build();
        if (await ValidatedStart.OptionsFailureAsync(host.Services, "personalize gateway") is { } badOptions)
        {
            return badOptions;
        }

        await host.StartAsync();
        var stop = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        var settings = host.Services.GetRequiredService<IOptions<GatewaySettings>>().Value;
        var keyNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "default";
        var logger = loggers.CreateLogger("personalize-gateway");

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig());
        // The operator's namespaces, when it is namespace-scoped: the gateway then caches and serves only those tenants.
        var store = new KubernetesResourceStore(client, settings.WatchNamespaces!, new InformerOptions(), new OperatorMetrics(), loggers);
        await store.StartAsync(stop);
        var options = new GatewayOptions
        {
            Port = settings.Port,
            ListenOnAllInterfaces = true,
            AccessKeys = new SecretAccessKeys(client, keyNamespace, TimeProvider.System),
            ServedNamespaces = settings.WatchNamespaces!,
            RuntimeAccess = new ClusterRuntimeAccess(client, TimeProvider.System),
        };
        await using (var gateway = await GatewayServer.StartAsync(store, options, loggers, stop))
        {
            logger.LogInformation("personalize gateway serving on port {Port}; access keys from Secrets labelled {Label}=true in namespace {Namespace}", settings.Port, SecretAccessKeys.Label, keyNamespace);
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM: the normal way out.
            }

            await store.Completion.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await host.StopAsync(CancellationToken.None);
        return 0;
    }
}
