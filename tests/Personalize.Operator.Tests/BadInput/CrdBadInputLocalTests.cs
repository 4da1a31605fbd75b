using k8s;
using Personalize.Api;
using Personalize.Operator.Controllers.Local;
using Xunit;

namespace Personalize.Operator.Tests.BadInput;

/// <summary>
/// Every generated bad-input case of every kind through local mode's manifest folder (which validates with the same
/// generated schema): refused naming the field, what was stored is unchanged, and nothing is written outside the state.
/// </summary>
public sealed class CrdBadInputLocalTests
{
    public static TheoryData<int, string> Cases() => CrdBadInputCases.Theory();

    [Fact]
    public void TheSuiteCoversEveryKindWithAtLeastOneHundredCases()
    {
        Assert.True(CrdBadInputCases.All.Count >= 100, $"{CrdBadInputCases.All.Count} cases");
        Assert.Equal(ApiGroup.Kinds.Count, CrdBadInputCases.All.Select(c => c.Kind).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task LocalMode_RefusesNamingTheField_AndKeepsWhatIsStored(int index, string id)
    {
        var @case = CrdBadInputCases.All[index];
        var root = Directory.CreateTempSubdirectory("personalize-bad-input-");
        try
        {
            var manifests = Directory.CreateDirectory(Path.Combine(root.FullName, "manifests")).FullName;
            var file = Path.Combine(manifests, "resource.yaml");
            await File.WriteAllTextAsync(file, CrdBadInputCases.Baseline(@case.Kind).ToJsonString());
            var store = new ManifestFolderStore(manifests, Path.Combine(root.FullName, "state"));
            await store.StartAsync(CancellationToken.None);
            var before = Stored(store, @case.Kind);

            // JSON is YAML: the manifest is written as kubectl would send it.
            await File.WriteAllTextAsync(file, @case.Manifest.ToJsonString());
            var refused = await Assert.ThrowsAsync<InvalidDataException>(() => store.ApplyManifestsAsync(CancellationToken.None));

            Assert.Contains(@case.Field, refused.Message, StringComparison.Ordinal);
            Assert.Equal(before, Stored(store, @case.Kind));
            Assert.False(Directory.Exists(Path.Combine(root.FullName, "tmp")), $"{id}: a file was written outside the state folder");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>Every stored resource of the kind: name, resource version and spec.</summary>
    private static string Stored(ManifestFolderStore store, Type kind)
    {
        var list = typeof(ManifestFolderStore).GetMethod(nameof(ManifestFolderStore.List))!.MakeGenericMethod(kind);
        var items = ((System.Collections.IEnumerable)list.Invoke(store, [null])!).Cast<IPersonalizeResource>();
        return string.Join("\n", items.Select(r => $"{r.Metadata.Name} {r.Metadata.ResourceVersion} {KubernetesJson.Serialize(r.GetType().GetProperty("Spec")!.GetValue(r))}"));
    }
}
