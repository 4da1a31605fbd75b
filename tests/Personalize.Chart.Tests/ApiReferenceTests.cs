using Personalize.Operator.Docs;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

public sealed class ApiReferenceTests
{
    [Theory]
    [InlineData("api-reference.md")]
    [InlineData("recipes.md")]
    public void GeneratedDocsPage_IsWhatTheApiClassesGenerate(string page)
    {
        var committed = File.ReadAllText(Path.Combine(InfraPaths.RepoRoot, "docs", page));

        Assert.True(
            committed == ApiReference.Pages()[page],
            $"docs/{page} differs from the API classes; regenerate it from the repository root with: personalize docs");
    }

    [Fact]
    public void RecipesPage_ListsEveryRecipeWithItsParameters()
    {
        var page = ApiReference.Pages()["recipes.md"];

        foreach (var recipe in Personalize.Api.Recipes.All)
        {
            Assert.Contains($"\n## {recipe.Name}\n", page, StringComparison.Ordinal);
        }

        Assert.Contains("| `hidden_dimension` | algorithmHyperParameters | integer | `43` | 32 to 256 | yes |", page, StringComparison.Ordinal);
        Assert.Contains("| `recency_mask` | algorithmHyperParameters | categorical | `true` | true, false | yes |", page, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiReference_ListsEveryKindWithItsValidation()
    {
        var reference = ApiReference.Render();

        foreach (var kind in Personalize.Api.ApiGroup.Kinds)
        {
            Assert.Contains($"\n## {kind.Name}\n", reference, StringComparison.Ordinal);
        }

        Assert.Contains("| `minProvisionedTPS` | integer (int32) |  | Transactions per second", reference, StringComparison.Ordinal);
        Assert.Contains("Range 1 to 100000. Default `1`.", reference, StringComparison.Ordinal);
        Assert.Contains("| `datasetType` | string | yes |", reference, StringComparison.Ordinal);
        Assert.Contains("| `solutionConfig.hpoConfig.hpoObjective.type` | string |  | One of: `Maximize`, `Minimize`. |", reference, StringComparison.Ordinal);
    }
}
