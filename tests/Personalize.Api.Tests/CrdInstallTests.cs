using k8s;
using k8s.Models;
using Personalize.Testing;

namespace Personalize.Api.Tests;

/// <summary>The generated CRDs install into a real API server and behave as a kubectl user expects.</summary>
[Collection(KubeApiServerCollection.Name)]
public sealed class CrdInstallTests(ApiServerWithCrds fixture)
{
    private readonly KubeApiServer _server = fixture.Server;

    [Fact]
    public async Task EverySampleIsAcceptedByTheApiServer()
    {
        var ns = await _server.CreateNamespaceAsync("samples");
        var samples = Directory.GetFiles(Path.Combine(InfraPaths.RepoRoot, "config", "samples"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Order()
            .ToList();
        Assert.NotEmpty(samples);

        foreach (var sample in samples)
        {
            var result = await _server.KubectlAsync("apply", "--dry-run=server", "-n", ns, "-f", sample);
            Assert.True(result.Succeeded, $"{Path.GetRelativePath(InfraPaths.RepoRoot, sample)} was rejected:\n{result.StdErr}");
        }
    }

    [Fact]
    public async Task SamplesCoverEveryKind()
    {
        var text = string.Join("\n", Directory.GetFiles(Path.Combine(InfraPaths.RepoRoot, "config", "samples"), "*.yaml", SearchOption.AllDirectories)
            .Select(File.ReadAllText));

        foreach (var kind in ApiGroup.Kinds.Select(k => ApiGroup.EntityOf(k).Kind))
        {
            Assert.Contains($"kind: {kind}\n", text.Replace("\r\n", "\n", StringComparison.Ordinal));
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task KubectlGetPersonalizeListsEveryKindWithItsColumns()
    {
        var ns = await _server.CreateNamespaceAsync("category");
        var manifest = """
            apiVersion: personalize.io/v1alpha1
            kind: DatasetGroup
            metadata: {name: retail}
            spec: {}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: Campaign
            metadata: {name: shop}
            spec: {solutionVersionRef: {name: v1}}
            """;
        (await _server.KubectlAsync(["apply", "-n", ns, "-f", "-"], manifest)).EnsureSuccess("apply");

        var all = (await _server.KubectlAsync("get", "personalize", "-n", ns)).EnsureSuccess("get personalize").StdOut;
        var campaigns = (await _server.KubectlAsync("get", "cmp", "-n", ns)).EnsureSuccess("get cmp").StdOut;

        Assert.Contains("datasetgroup.personalize.io/retail", all);
        Assert.Contains("campaign.personalize.io/shop", all);
        Assert.Contains("ENDPOINT", campaigns.Split('\n')[0]);
        Assert.Contains("STATUS", campaigns.Split('\n')[0]);
    }

    [Fact]
    public async Task DefaultsAreFilledAndStatusIsWrittenThroughTheSubresource()
    {
        var ns = await _server.CreateNamespaceAsync("status");
        using var client = _server.CreateClient();
        var entity = ApiGroup.EntityOf<Campaign>();
        var campaign = new Campaign
        {
            Metadata = new V1ObjectMeta { Name = "shop", NamespaceProperty = ns },
            Spec = new CampaignSpec { SolutionVersionRef = new ResourceRef { Name = "v1" } },
        };

        var created = await client.CustomObjects.CreateNamespacedCustomObjectAsync<Campaign>(campaign, entity.Group, entity.ApiVersion, ns, entity.PluralName);
        created.Status = new CampaignStatus { Phase = Phases.Active, Endpoint = "http://shop.personalize:8080", ReadyReplicas = 2 };
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<Campaign>(created, entity.Group, entity.ApiVersion, ns, entity.PluralName, "shop");

        // A spec write never touches status, and a status write never touches spec: that is what the subresource buys.
        var specEdit = await client.CustomObjects.GetNamespacedCustomObjectAsync<Campaign>(entity.Group, entity.ApiVersion, ns, entity.PluralName, "shop");
        specEdit.Spec.MinProvisionedTPS = 3;
        specEdit.Status.Phase = "tampered";
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<Campaign>(specEdit, entity.Group, entity.ApiVersion, ns, entity.PluralName, "shop");
        var read = await client.CustomObjects.GetNamespacedCustomObjectAsync<Campaign>(entity.Group, entity.ApiVersion, ns, entity.PluralName, "shop");

        Assert.Equal(1, created.Spec.MinProvisionedTPS);
        Assert.Equal(3, read.Spec.MinProvisionedTPS);
        Assert.Equal(Phases.Active, read.Status.Phase);
        Assert.Equal(2, read.Status.ReadyReplicas);
    }
}
