using Personalize.Api.Crds;
using Personalize.Testing;

namespace Personalize.Api.Tests;

/// <summary>The committed CRD YAML is exactly what the C# classes generate (regenerate with `personalize crds`).</summary>
public sealed class CrdDriftTests
{
    private static readonly string CrdDirectory = Path.Combine(InfraPaths.RepoRoot, "config", "crd");

    [Fact]
    public void CommittedCrdsMatchTheClasses()
    {
        var generated = CrdGenerator.RenderFiles();
        var committed = Directory.GetFiles(CrdDirectory, $"{ApiGroup.Group}_*.yaml").Select(Path.GetFileName).Order().ToList();

        Assert.Equal(generated.Keys.Order(), committed);
        foreach (var (name, yaml) in generated)
        {
            var onDisk = File.ReadAllText(Path.Combine(CrdDirectory, name));
            Assert.True(
                onDisk == yaml,
                $"config/crd/{name} differs from the classes. Run: dotnet run --project operator/Personalize.Operator -- crds $PWD/config/crd");
        }
    }

    [Fact]
    public void EveryKindIsInThePersonalizeCategoryWithAShortNameAndStatusSubresource()
    {
        foreach (var crd in CrdGenerator.GenerateAll())
        {
            Assert.Contains(ApiGroup.Category, crd.Spec.Names.Categories);
            Assert.NotEmpty(crd.Spec.Names.ShortNames);
            var version = Assert.Single(crd.Spec.Versions);
            Assert.NotNull(version.Subresources.Status);
            Assert.Contains(version.AdditionalPrinterColumns, c => c.Name == "Status" && c.JsonPath == ".status.phase");
        }
    }
}
