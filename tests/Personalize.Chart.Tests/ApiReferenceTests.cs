using Personalize.Operator.Docs;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

public sealed class ApiReferenceTests
{
    [Fact]
    public void DocsApiReference_IsWhatTheApiClassesGenerate()
    {
        var committed = File.ReadAllText(Path.Combine(InfraPaths.RepoRoot, "docs", "api-reference.md"));

        Assert.True(
            committed == ApiReference.Render(),
            "docs/api-reference.md differs from the API classes; regenerate it from the repository root with: personalize docs");
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
