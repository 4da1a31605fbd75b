using System.CommandLine;
using Personalize.Api.Crds;
using Personalize.Cli;
using Personalize.Operator.ClusterMode;
using Personalize.Operator.GatewayMode;
using Personalize.Operator.LocalMode;
using Personalize.Operator.Reports;

// The operator's verbs. `crds` regenerates the CustomResourceDefinitions from the C# classes; `run` reconciles
// the cluster it runs in (or the kubeconfig's current context).
var logFormat = ConsoleLogs.CreateFormatOption();
var crdsOutput = new Argument<string?>("output-directory") { Description = "Where to write them (default: config/crd and the chart's files/crds).", Arity = ArgumentArity.ZeroOrOne };
var crds = new Command("crds", "Regenerate the CustomResourceDefinitions from the C# classes.") { crdsOutput };
crds.SetAction((parsed, _) => parsed.GetValue(crdsOutput) is { } output
    ? WriteCrdsAsync(output)
    : WriteCrdsAsync(Path.Combine("config", "crd"), Path.Combine("charts", "personalize-operator", "files", "crds")));
var docs = new Command("docs", "Regenerate docs/api-reference.md and docs/recipes.md.");
docs.SetAction((_, _) => Personalize.Operator.Docs.ApiReference.WriteAsync("docs"));
var root = new RootCommand("personalize: the Personalize operator, its local mode, gateway and tools.")
{
    logFormat,
    RunVerb.Create(logFormat),
    LocalVerb.Create(logFormat),
    ReportVerb.Create(),
    GatewayVerb.Create(logFormat),
    crds,
    docs,
};
return await CommandLineApp.InvokeAsync(root, args);

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
