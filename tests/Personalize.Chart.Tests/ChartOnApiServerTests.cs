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
    [InlineData("dashboard-alerts-monitors")]
    public async Task Template_IsAcceptedByTheApiServer(string variant)
    {
        var ns = await kube.CreateNamespaceAsync("chart");
        if (variant == "dashboard-alerts-monitors")
        {
            await InstallMonitoringCrdStandInsAsync();
        }

        string[] values = variant switch
        {
            "defaults" => [.. Helm.CredentialValues],
            "gpu-trainer-watched-namespaces" =>
            [
                .. Helm.CredentialValues, "--set", $"operator.watchNamespaces={{{ns}}}", "--set", "trainer.gpus=1",
                "--set", "trainer.gpu.nodeSelector.accelerator=nvidia-h100", "--set", $"s3.credentials.namespaces={{{ns}}}",
            ],
            "dashboard-alerts-monitors" =>
            [
                .. Helm.CredentialValues, "--set", "grafana.dashboards.enabled=true", "--set", "prometheusRules.enabled=true",
                "--set", "metrics.serviceMonitor.enabled=true",
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

    /// <summary>
    /// prometheus-operator's CRDs cannot be downloaded here, so these stand-ins register the same group, versions
    /// and kinds with an open schema: the dry run then checks the objects' metadata and that the kinds resolve.
    /// </summary>
    private async Task InstallMonitoringCrdStandInsAsync()
    {
        var crds = string.Join("\n---\n", new[] { ("PrometheusRule", "prometheusrules"), ("ServiceMonitor", "servicemonitors"), ("PodMonitor", "podmonitors") }.Select(k => $$"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: {{k.Item2}}.monitoring.coreos.com
            spec:
              group: monitoring.coreos.com
              scope: Namespaced
              names: { kind: {{k.Item1}}, plural: {{k.Item2}}, singular: {{k.Item1.ToLowerInvariant()}}, listKind: {{k.Item1}}List }
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
            """));
        (await kube.KubectlAsync(["apply", "-f", "-"], crds)).EnsureSuccess("kubectl apply of the monitoring CRD stand-ins");
        (await kube.KubectlAsync("wait", "--for", "condition=established", "--timeout=60s", "crd/prometheusrules.monitoring.coreos.com", "crd/servicemonitors.monitoring.coreos.com", "crd/podmonitors.monitoring.coreos.com"))
            .EnsureSuccess("the monitoring CRD stand-ins to be established");
    }

    public void Dispose() => _helm.Dispose();
}
