using k8s;
using k8s.Models;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// The chart against a real kube-apiserver: its rendered output passes server-side validation, it installs,
/// upgrades (CRDs included) and uninstalls leaving the CRDs, and the operator's account may do what the
/// reconcilers need and no more. No kubelet: the operator pods stay Pending, which these tests do not need.
/// </summary>
public sealed class ChartOnApiServerTests(KubeApiServer kube) : IClassFixture<KubeApiServer>, IDisposable
{
    private readonly Helm _helm = new();

    [Theory]
    [InlineData("defaults")]
    [InlineData("gpu-trainer-watched-namespaces")]
    [InlineData("existing-secret-service-monitor-off")]
    public async Task Template_IsAcceptedByTheApiServer(string variant)
    {
        var ns = await kube.CreateNamespaceAsync("chart");
        string[] values = variant switch
        {
            "defaults" => [.. Helm.CredentialValues],
            "gpu-trainer-watched-namespaces" =>
            [
                .. Helm.CredentialValues, "--set", $"operator.watchNamespace={ns}", "--set", "trainer.gpus=1",
                "--set", "trainer.gpu.nodeSelector.accelerator=nvidia-h100", "--set", $"s3.credentials.namespaces={{{ns}}}",
            ],
            _ => ["--set", "s3.credentials.existingSecret=keys", "--set", "metrics.service.enabled=false", "--set", "crds.keep=false"],
        };
        var yaml = await _helm.TemplateAsync(values, @namespace: ns);

        var apply = await kube.KubectlAsync(["apply", "--dry-run=server", "-n", ns, "-f", "-"], yaml);

        apply.EnsureSuccess($"kubectl apply --dry-run=server of the chart ({variant})");
        Assert.Contains("deployment.apps/personalize-operator", apply.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_Upgrade_Uninstall_OnARealApiServer()
    {
        const string release = "personalize-operator";
        var ns = await kube.CreateNamespaceAsync("release");
        using var client = kube.CreateClient();

        (await _helm.RunAsync(["install", release, Helm.ChartDirectory, "-n", ns, .. Helm.CredentialValues], kube.KubeconfigPath))
            .EnsureSuccess("helm install");
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(release, ns);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Contains(deployment.Spec.Template.Spec.Containers[0].Env, e => e.Name == "PERSONALIZE_LEADER_ELECTION" && e.Value == "true");
        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("campaigns.personalize.io");
        Assert.Equal(release, crd.Metadata.Annotations["meta.helm.sh/release-name"]);

        // The next chart version changes a CRD: helm upgrade must carry the change to the server (crds/ would not).
        var nextChart = _helm.CopyChart();
        var datasetGroups = Path.Combine(nextChart, "files", "crds", "personalize.io_datasetgroups.yaml");
        File.WriteAllText(datasetGroups, File.ReadAllText(datasetGroups).Replace("A container for the datasets", "UPGRADED container for the datasets", StringComparison.Ordinal));
        (await _helm.RunAsync(
            ["upgrade", release, nextChart, "-n", ns, .. Helm.CredentialValues, "--set", "operator.replicas=3", "--set", "operator.leaderElection.enabled=false"],
            kube.KubeconfigPath)).EnsureSuccess("helm upgrade");

        deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(release, ns);
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Contains(deployment.Spec.Template.Spec.Containers[0].Env, e => e.Name == "PERSONALIZE_LEADER_ELECTION" && e.Value == "false");
        var upgraded = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("datasetgroups.personalize.io");
        Assert.StartsWith("UPGRADED", upgraded.Spec.Versions[0].Schema.OpenAPIV3Schema.Description, StringComparison.Ordinal);

        (await _helm.RunAsync(["uninstall", release, "-n", ns], kube.KubeconfigPath)).EnsureSuccess("helm uninstall");
        Assert.NotNull(await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("campaigns.personalize.io"));
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AppsV1.ReadNamespacedDeploymentAsync(release, ns));
    }

    public void Dispose() => _helm.Dispose();
}
