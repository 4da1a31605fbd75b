using Personalize.Api.Crds;

// The operator's verbs. `crds` regenerates the CustomResourceDefinitions from the C# classes.
return args switch
{
    ["crds", var output] => await WriteCrdsAsync(output),
    ["crds"] => await WriteCrdsAsync(Path.Combine("config", "crd"), Path.Combine("charts", "personalize-operator", "files", "crds")),
    ["docs"] => await Personalize.Operator.Docs.ApiReference.WriteAsync("docs"),
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

static int Usage()
{
    Console.Error.WriteLine("usage: personalize crds [output-directory] | personalize docs");
    return 2;
}
