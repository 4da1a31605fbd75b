using System.CommandLine;
using k8s;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Personalize.Cli;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.Hosting;

namespace Personalize.Operator.ClusterMode;

/// <summary>
/// `personalize run [--name=value ...]`: reconciles the cluster it runs in (or the kubeconfig's current context).
/// Settings are the PERSONALIZE_* environment, each overridable by its flag (<see cref="SettingVariables"/>); logs
/// are JSON unless --log-format says otherwise. SIGTERM (pod deletion) and Ctrl-C start the same graceful stop:
/// in-flight work finishes, the lease is let go.
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
        var builder = CliHost.CreateBuilder(logFormat, ConsoleLogs.Json);
        builder.Services.AddSingleton<IValidateOptions<SettingVariables>, SettingVariables.Validation>();
        builder.Services.AddOptions<SettingVariables>()
            .Configure(variables =>
            {
                foreach (var (name, value) in SettingVariables.FromEnvironment().Values)
                {
                    variables.Values[name] = value;
                }

                foreach (var (option, variable) in flags)
                {
                    if (parsed.GetValue(option) is { } value)
                    {
                        variables.Values[variable] = value;
                    }
                }
            })
            .ValidateOnStart();
        using var host = builder.Build();
        if (await ValidatedStart.OptionsFailureAsync(host.Services, "personalize run") is { } badOptions)
        {
            return badOptions;
        }

        await host.StartAsync();
        var stop = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var settings = host.Services.GetRequiredService<IOptions<SettingVariables>>().Value.ToSettings(
            host.Services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName);
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("personalize");

        // $KUBECONFIG, else ~/.kube/config, else the pod's service account.
        var config = KubernetesClientConfiguration.BuildDefaultConfig();
        using var client = new Kubernetes(config);
        var objects = ObjectStoreFactory.FromEnvironment();
        var cluster = ClusterOperator.Create(client, objects, settings, loggers);
        var exit = 0;
        await using (var web = await OperatorEndpoints.StartAsync(cluster, settings.MetricsPort, stop))
        {
            logger.LogInformation("personalize operator {Identity} started; metrics on port {Port}", settings.Identity, settings.MetricsPort);
            try
            {
                await cluster.RunAsync(stop);
            }
            catch (Exception ex)
            {
                logger.LogCritical(ex, "operator failed");
                exit = 1;
            }

            await web.StopAsync(CancellationToken.None);
        }

        await host.StopAsync(CancellationToken.None);
        return exit;
    }
}
