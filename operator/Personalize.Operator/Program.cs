using Personalize.Api.Crds;

// The operator's verbs. `crds` regenerates the CustomResourceDefinitions from the C# classes.
return args switch
{
    ["crds", var output] => await WriteCrdsAsync(output),
    ["crds"] => await WriteCrdsAsync(Path.Combine("config", "crd")),
    _ => Usage(),
};

static async Task<int> WriteCrdsAsync(string output)
{
    await CrdGenerator.WriteAsync(output, CancellationToken.None);
    Console.WriteLine($"CRDs written to {output}");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: personalize crds [output-directory]");
    return 2;
}
