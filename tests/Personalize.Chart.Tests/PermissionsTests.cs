using k8s;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// The operator's account from either install path (plain kubectl on config/, or the chart) may do what the
/// reconcilers need and no more. An API server of its own: these objects are applied with kubectl, not Helm.
/// </summary>
public sealed class PermissionsTests(KubeApiServer kube) : IClassFixture<KubeApiServer>, IDisposable
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

    public void Dispose() => _helm.Dispose();
}
