using System.Text.Json;
using k8s.Models;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// The chart's gateway: a Deployment of `personalize gateway` with its own ServiceAccount and a Service, behind
/// gateway.enabled (on by default), and on a real API server exactly the rights the gateway needs.
/// </summary>
public sealed class GatewayChartTests(KubeApiServer kube) : IClassFixture<KubeApiServer>, IDisposable
{
    private const string Gateway = "personalize-operator-gateway";
    private readonly Helm _helm = new();

    [Fact]
    public async Task Defaults_RenderTheGatewayWithItsOwnServiceAccount_AndDisabledRendersNone()
    {
        var yaml = await _helm.TemplateAsync(Helm.CredentialValues);
        var deployment = Manifests.Single<V1Deployment>(yaml, Gateway);
        var container = deployment.Spec.Template.Spec.Containers[0];

        Assert.Equal(["gateway"], container.Args);
        Assert.Equal(Gateway, deployment.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("gateway", deployment.Spec.Selector.MatchLabels["app.kubernetes.io/component"]);
        Assert.Contains(container.Env, e => e.Name == "POD_NAMESPACE");
        Assert.Equal(8080, Manifests.Single<V1Service>(yaml, Gateway).Spec.Ports[0].Port);
        Assert.NotNull(Manifests.Single<V1ServiceAccount>(yaml, Gateway));
        // The operator's Deployment does not select the gateway's pods, nor the other way round.
        Assert.Equal("operator", Manifests.Single<V1Deployment>(yaml, "personalize-operator").Spec.Selector.MatchLabels["app.kubernetes.io/component"]);

        var off = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "gateway.enabled=false"]);
        Assert.DoesNotContain(Manifests.Parse(off).OfType<k8s.IKubernetesObject<V1ObjectMeta>>(), o => o.Metadata.Name.StartsWith(Gateway, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WatchNamespaces_ConfineTheGatewayToThoseNamespaces()
    {
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "operator.watchNamespaces={team-a,team-b}"]);

        Assert.DoesNotContain(Manifests.OfType<V1ClusterRole>(yaml), r => r.Metadata.Name == Gateway);
        Assert.DoesNotContain(Manifests.OfType<V1ClusterRoleBinding>(yaml), b => b.Metadata.Name == Gateway);
        Assert.Equal(["team-a", "team-b"], Manifests.OfType<V1Role>(yaml).Where(r => r.Metadata.Name == Gateway).Select(r => r.Metadata.NamespaceProperty).Order());
        Assert.Equal(["team-a", "team-b"], Manifests.OfType<V1RoleBinding>(yaml).Where(b => b.Metadata.Name == Gateway).Select(b => b.Metadata.NamespaceProperty).Order());
        Assert.Contains(Manifests.Single<V1Deployment>(yaml, Gateway).Spec.Template.Spec.Containers[0].Env, e => e.Name == "PERSONALIZE_WATCH_NAMESPACES" && e.Value == "team-a,team-b");
    }

    [Fact]
    public async Task OnARealApiServer_TheGatewayAccountMayManagePersonalizeResourcesReadKeysAndReachRuntimes_AndNothingElse()
    {
        var ns = await kube.CreateNamespaceAsync("gateway-rbac");
        var yaml = await _helm.TemplateAsync(Helm.CredentialValues, @namespace: ns, releaseName: ns);
        (await kube.KubectlAsync(["apply", "-n", ns, "-f", "-"], yaml)).EnsureSuccess("kubectl apply of the chart");
        (await kube.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")).EnsureSuccess("CRDs established");
        await GatewayPermissions.AssertAsync(kube, $"system:serviceaccount:{ns}:{ns}-personalize-operator-gateway", ns);
    }

    [Fact]
    public async Task ChartGatewayRbac_GrantsTheSameRulesAsConfigRbac()
    {
        var yaml = await _helm.TemplateAsync(Helm.CredentialValues);
        var config = Manifests.Parse(await File.ReadAllTextAsync(Path.Combine(InfraPaths.RepoRoot, "config", "rbac", "gateway_role.yaml")))
            .Concat(Manifests.Parse(await File.ReadAllTextAsync(Path.Combine(InfraPaths.RepoRoot, "config", "rbac", "gateway_role_binding.yaml"))))
            .ToList();

        Assert.Equal(
            JsonSerializer.Serialize(config.OfType<V1ClusterRole>().Single().Rules),
            JsonSerializer.Serialize(Manifests.Single<V1ClusterRole>(yaml, Gateway).Rules));
        Assert.Equal(
            JsonSerializer.Serialize(config.OfType<V1Role>().Single().Rules),
            JsonSerializer.Serialize(Manifests.Single<V1Role>(yaml, $"{Gateway}-access-keys").Rules));
    }

    public void Dispose() => _helm.Dispose();
}
