using k8s;
using Microsoft.Extensions.Logging;
using Personalize.Api.Crds;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.Hosting;

// The operator's verbs. `crds` regenerates the CustomResourceDefinitions from the C# classes; `run` reconciles
// the cluster it runs in (or the kubeconfig's current context).
return args switch
{
    ["crds", var output] => await WriteCrdsAsync(output),
    ["crds"] => await WriteCrdsAsync(Path.Combine("config", "crd"), Path.Combine("charts", "personalize-operator", "files", "crds")),
    ["docs"] => await Personalize.Operator.Docs.ApiReference.WriteAsync("docs"),
    ["run", .. var flags] => await RunClusterAsync(flags),
    ["local", .. var rest] => await Personalize.Operator.LocalMode.LocalVerb.RunAsync(rest),
    ["report", .. var rest] => await Personalize.Operator.Reports.ReportVerb.RunAsync(rest, Console.Out, Console.Error, CancellationToken.None),
    ["gateway", .. var rest] => await Personalize.Operator.GatewayMode.GatewayVerb.RunAsync(rest),
    _ => Usage(),
};

// By default both copies: config/crd for kubectl and the Helm chart's files/crds (rendered as templates so upgrades upgrade them).
static async Task<int> WriteCrdsAsync(params string[] outputs)
{
    foreach (var output in outputs)
    {
        await CrdGenerator.WriteAsync(output, CancellationToken.None);
        Console.WriteLine($"CRDs written to {output}");
    }

    return 0;
}

static async Task<int> RunClusterAsync(string[] flags)
{
    OperatorSettings settings;
    try
    {
        settings = OperatorSettings.FromEnvironmentAndFlags(flags);
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    using var loggers = LoggerFactory.Create(b => b.AddJsonConsole(o =>
    {
        o.IncludeScopes = true;
        o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        o.UseUtcTimestamp = true;
    }).SetMinimumLevel(LogLevel.Information));
    var logger = loggers.CreateLogger("personalize");

    using var stop = new Personalize.Operator.ShutdownSignal();

    // $KUBECONFIG, else ~/.kube/config, else the pod's service account.
    var config = KubernetesClientConfiguration.BuildDefaultConfig();
    using var client = new Kubernetes(config);
    var objects = ObjectStoreFactory.FromEnvironment();
    var host = ClusterOperator.Create(client, objects, settings, loggers);
    await using var web = await OperatorEndpoints.StartAsync(host, settings.MetricsPort, stop.Token);
    logger.LogInformation("personalize operator {Identity} started; metrics on port {Port}", settings.Identity, settings.MetricsPort);
    try
    {
        await host.RunAsync(stop.Token);
    }
    catch (Exception ex)
    {
        logger.LogCritical(ex, "operator failed");
        return 1;
    }

    await web.StopAsync(CancellationToken.None);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: personalize crds [output-directory]
               personalize docs                     regenerate docs/api-reference.md and docs/recipes.md
               personalize run [--name=value ...]   reconcile the cluster (settings: PERSONALIZE_* environment or --kebab-case flags)
               personalize local <manifest-folder> [--state <dir>] [--store <dir>] [--api-port <port>]   the same controllers on this machine
               personalize report <solution-version> [-n <namespace>] [--state <dir> [--store <dir>]] [--output <file>] [--open]
                                                    fetch a version's training report and print its path
               personalize gateway [--port <port>]  the Personalize API for boto3 (SigV4 keys from Secrets)
        """);
    return 2;
}
