using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>The chart's day two: an upgrade (a resource request, an image) reaches the running campaigns; an uninstall keeps
/// the CRDs and the user's resources.</summary>
[Collection(ClusterCollection.Name)]
public sealed class HelmLifecycleTests(InstalledProduct product)
{
    private const string Campaign = "quickstart-for-you";

    [Fact]
    public async Task UpgradesOfAResourceRequestAndAnImageReachTheRuntimeDeployments_AndAnUninstallKeepsCrdsAndResources()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var ct = timeout.Token;
        await product.WaitForPhaseAsync("campaign", Campaign, "ACTIVE", TimeSpan.FromMinutes(8), ct);

        // A value that is not an image: the runtime's memory request reaches the running Deployment (the operator applies
        // its whole object, not only the fields that used to start a rollout).
        (await product.HelmAsync(
            ["upgrade", InstalledProduct.Release, Helm.ChartDirectory, "--namespace", InstalledProduct.SystemNamespace, .. product.InstallValues, "--set", "runtime.resources.requests.memory=160Mi"],
            ct)).EnsureSuccess("helm upgrade of the runtime's resources");
        await product.WaitAsync(
            async t => await product.FieldAsync("deployment", Campaign, "{.spec.template.spec.containers[0].resources.requests.memory}", t) == "160Mi"
                && await product.FieldAsync("deployment", Campaign, "{.status.updatedReplicas}", t) == await product.FieldAsync("deployment", Campaign, "{.status.readyReplicas}", t)
                && await product.FieldAsync("campaign", Campaign, "{.status.phase}", t) == "ACTIVE",
            TimeSpan.FromMinutes(5),
            $"campaign {Campaign}'s Deployment with the upgraded memory request",
            ct);

        // The same runtime under a second tag: the value changes, the image stays one this node has.
        var (repository, tag) = product.Node.Images["runtime"];
        var upgradedTag = $"{tag}-upgraded";
        await product.Node.TagImageAsync($"{repository}:{tag}", $"{repository}:{upgradedTag}", ct);
        (await product.HelmAsync(
            ["upgrade", InstalledProduct.Release, Helm.ChartDirectory, "--namespace", InstalledProduct.SystemNamespace, .. product.InstallValues, "--set", $"images.runtime.tag={upgradedTag}"],
            ct)).EnsureSuccess("helm upgrade");
        await product.WaitAsync(
            async t => await product.FieldAsync("deployment", Campaign, "{.spec.template.spec.containers[0].image}", t) == $"{repository}:{upgradedTag}"
                && await product.FieldAsync("deployment", Campaign, "{.status.updatedReplicas}", t) == await product.FieldAsync("deployment", Campaign, "{.status.readyReplicas}", t)
                && await product.FieldAsync("campaign", Campaign, "{.status.phase}", t) == "ACTIVE",
            TimeSpan.FromMinutes(5),
            $"campaign {Campaign}'s Deployment on the upgraded runtime image",
            ct);

        (await product.HelmAsync(["uninstall", InstalledProduct.Release, "--namespace", InstalledProduct.SystemNamespace, "--wait"], ct)).EnsureSuccess("helm uninstall");
        await product.WaitAsync(
            async t => (await product.GetJsonAsync(t, "pods", "-n", InstalledProduct.SystemNamespace, "-l", InstalledProduct.OperatorSelector)).GetProperty("items").GetArrayLength() == 0,
            TimeSpan.FromMinutes(2),
            "the operator pods to go",
            ct,
            InstalledProduct.SystemNamespace);
        Assert.True((await product.KubectlAsync(ct, "get", "crd", "campaigns.personalize.io")).Succeeded, "helm uninstall removed the Campaign CRD");
        Assert.Equal("ACTIVE", await product.FieldAsync("campaign", Campaign, "{.status.phase}", ct));
        Assert.Equal($"{repository}:{upgradedTag}", await product.FieldAsync("deployment", Campaign, "{.spec.template.spec.containers[0].image}", ct));

        // Installing again picks the resources up where they are.
        (await product.HelmAsync(["install", InstalledProduct.Release, Helm.ChartDirectory, "--namespace", InstalledProduct.SystemNamespace, .. product.InstallValues], ct))
            .EnsureSuccess("helm install after uninstall");
        await product.WaitForOperatorPodsAsync(2, ct);
        await product.WaitAsync(
            async t => await product.FieldAsync("deployment", Campaign, "{.spec.template.spec.containers[0].image}", t) == $"{repository}:{tag}"
                && await product.FieldAsync("campaign", Campaign, "{.status.phase}", t) == "ACTIVE",
            TimeSpan.FromMinutes(5),
            $"campaign {Campaign} back on the installed runtime image",
            ct);
    }
}
