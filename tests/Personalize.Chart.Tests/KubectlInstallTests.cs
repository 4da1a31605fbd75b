using k8s;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// What users apply with kubectl: config/ (the operator without Helm), the chart's objects for their RBAC, and the
/// quickstart's resources. The operator's account from either install path may do what the reconcilers need and no
/// more. An API server of its own: nothing here is owned by a Helm release.
/// </summary>
public sealed class KubectlInstallTests(KubeApiServer kube) : IClassFixture<KubeApiServer>, IDisposable
{
    private static readonly string Config = Path.Combine(InfraPaths.RepoRoot, "config");
    private readonly Helm _helm = new();

    [Fact]
    public async Task ConfigInstall_AppliesInTheDocumentedOrder_AndGrantsLeastPrivilege()
    {
        var apply = await kube.KubectlAsync(
            "apply", "-f", Path.Combine(Config, "crd"), "-f", Path.Combine(Config, "manager"), "-f", Path.Combine(Config, "rbac"));

        apply.EnsureSuccess("kubectl apply -f config/crd -f config/manager -f config/rbac");
        using var client = kube.CreateClient();
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("personalize-operator", "personalize-system");
        Assert.Contains(deployment.Spec.Template.Spec.Containers[0].Env, e => e.Name == "PERSONALIZE_LEADER_ELECTION" && e.Value == "true");
        await OperatorPermissions.AssertAsync(kube, "system:serviceaccount:personalize-system:personalize-operator", "personalize-system");
        var gateway = await client.AppsV1.ReadNamespacedDeploymentAsync("personalize-operator-gateway", "personalize-system");
        Assert.Equal(["gateway"], gateway.Spec.Template.Spec.Containers[0].Args);
        Assert.Equal("personalize-operator-gateway", gateway.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("gateway", (await client.CoreV1.ReadNamespacedServiceAsync("personalize-operator-gateway", "personalize-system")).Spec.Selector["app.kubernetes.io/component"]);
        await GatewayPermissions.AssertAsync(kube, "system:serviceaccount:personalize-system:personalize-operator-gateway", "personalize-system");
    }

    [Fact]
    public async Task ChartInstall_GrantsLeastPrivilege()
    {
        (await kube.KubectlAsync("apply", "-f", Path.Combine(Config, "crd"))).EnsureSuccess("kubectl apply -f config/crd");
        var ns = await kube.CreateNamespaceAsync("rbac");
        // Released under the namespace's name so its cluster-scoped objects never collide with other renders.
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, "--set", "crds.install=false"], @namespace: ns, releaseName: ns);

        (await kube.KubectlAsync(["apply", "-n", ns, "-f", "-"], yaml)).EnsureSuccess("kubectl apply of the chart's objects");

        await OperatorPermissions.AssertAsync(kube, $"system:serviceaccount:{ns}:{ns}-personalize-operator", ns);
    }

    [Fact]
    public async Task ChartInstall_WithWatchNamespaces_GrantsTheOperatorOnlyThoseNamespaces()
    {
        (await kube.KubectlAsync("apply", "-f", Path.Combine(Config, "crd"))).EnsureSuccess("kubectl apply -f config/crd");
        var ns = await kube.CreateNamespaceAsync("rbac");
        var teamA = await kube.CreateNamespaceAsync("team-a");
        var teamB = await kube.CreateNamespaceAsync("team-b");
        var other = await kube.CreateNamespaceAsync("other");
        var yaml = await _helm.TemplateAsync(
            [.. Helm.CredentialValues, "--set", "crds.install=false", "--set", $"operator.watchNamespaces={{{teamA},{teamB}}}"], @namespace: ns, releaseName: ns);

        // Every object names its namespace: the release's, or a watched one for its Roles.
        (await kube.KubectlAsync(["apply", "-f", "-"], yaml)).EnsureSuccess("kubectl apply of the chart's objects");

        await OperatorPermissions.AssertConfinedAsync(kube, $"system:serviceaccount:{ns}:{ns}-personalize-operator", [teamA, teamB], other);
    }

    [Fact]
    public async Task QuickstartExamples_AreAcceptedByTheApiServer()
    {
        (await kube.KubectlAsync("apply", "-f", Path.Combine(Config, "crd"))).EnsureSuccess("kubectl apply -f config/crd");
        var ns = await kube.CreateNamespaceAsync("quickstart");

        var apply = await kube.KubectlAsync("apply", "--dry-run=server", "-n", ns, "-f", Path.Combine(InfraPaths.RepoRoot, "examples", "quickstart"));

        apply.EnsureSuccess("kubectl apply --dry-run=server -f examples/quickstart");
        Assert.Contains("campaign.personalize.io/quickstart-for-you created (server dry run)", apply.StdOut, StringComparison.Ordinal);
        Assert.Contains("filter.personalize.io/quickstart-in-category created (server dry run)", apply.StdOut, StringComparison.Ordinal);
    }

    public void Dispose() => _helm.Dispose();
}
