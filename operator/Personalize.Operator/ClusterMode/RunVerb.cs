using System.CommandLine;
using System.Globalization;
using k8s;
using Personalize.Cli;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.ClusterMode;

/// <summary>
/// `personalize run [--name=value ...]`: reconciles the cluster it runs in (or the kubeconfig's current context).
/// Settings are the PERSONALIZE_* environment, each overridable by its flag (<see cref="SettingVariables"/>); logs
/// are JSON unless --log-format says otherwise. One application: the operator registered in its container, run as
/// a hosted service, and /metrics, /healthz and /readyz on its Kestrel. SIGTERM (pod deletion) and Ctrl-C start the
/// same graceful stop: in-flight work finishes, the lease is let go.
/// </summary>
public static class RunVerb
{
    public static Command Create(Option<string?> logFormat)
    {
        var flags = SettingVariables.CreateFlags();
        var command = new Command("run", "Reconcile the cluster: the operator's controllers, with leader election, metrics, /healthz and /readyz.");
        foreach (var (option, _) in flags)
        {
            command.Options.Add(option);
        }

        command.SetAction((parsed, _) => RunAsync(parsed, flags, parsed.GetValue(logFormat)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parsed, IReadOnlyList<(Option<string> Option, string Variable)> flags, string? logFormat)
    {
        var builder = CliHost.Configure(
            WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = CliHost.HostArguments, ContentRootPath = AppContext.BaseDirectory }), logFormat, ConsoleLogs.Json);
        // Probes and scrapes come every few seconds: their request logs would drown the operator's own.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddOperatorSettings(overrides: variables =>
        {
            foreach (var (option, variable) in flags)
            {
                if (parsed.GetValue(option) is { } value)
                {
                    variables.Values[variable] = value;
                }
            }
        });
        // $KUBECONFIG, else ~/.kube/config, else the pod's service account.
        builder.Services.AddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.BuildDefaultConfig()));
        builder.Services.AddSingleton(_ => ObjectStoreFactory.FromEnvironment());
        builder.Services.AddPersonalizeClusterOperator().AddHostedService<OperatorService>();
        await using var app = builder.Build();
        if (await ValidatedStart.OptionsFailureAsync(app.Services, "personalize run") is { } badOptions)
        {
            return badOptions;
        }

        var settings = app.Services.GetRequiredService<OperatorSettings>();
        // The endpoints listen where the settings say (PERSONALIZE_METRICS_PORT), not where ASPNETCORE_URLS would.
        app.Urls.Add($"http://0.0.0.0:{settings.MetricsPort.ToString(CultureInfo.InvariantCulture)}");
        app.MapOperatorEndpoints();
        await app.StartAsync();
        app.Logger.LogInformation("personalize operator {Identity} started; metrics on port {Port}", settings.Identity, settings.MetricsPort);
        await app.WaitForShutdownAsync();
        return app.Services.GetRequiredService<OperatorHost>().Fault is null ? 0 : 1;
    }
}
