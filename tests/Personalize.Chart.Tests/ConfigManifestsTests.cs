using k8s;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>The plain-kubectl install (config/crd, config/manager, config/rbac) on a real API server of its own.</summary>
public sealed class ConfigManifestsTests(KubeApiServer kube) : IClassFixture<KubeApiServer>
{
    [Fact]
    public async Task ConfigInstall_AppliesInTheDocumentedOrder_AndGrantsLeastPrivilege()
    {
        var config = Path.Combine(InfraPaths.RepoRoot, "config");

        var apply = await kube.KubectlAsync(
            "apply", "-f", Path.Combine(config, "crd"), "-f", Path.Combine(config, "manager"), "-f", Path.Combine(config, "rbac"));

        apply.EnsureSuccess("kubectl apply -f config/crd -f config/manager -f config/rbac");
        using var client = kube.CreateClient();
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("personalize-operator", "personalize-system");
        Assert.Contains("--leader-elect", deployment.Spec.Template.Spec.Containers[0].Args);
        await OperatorPermissions.AssertAsync(kube, "system:serviceaccount:personalize-system:personalize-operator", "personalize-system");
    }
}
