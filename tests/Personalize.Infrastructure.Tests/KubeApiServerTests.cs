using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Personalize.Testing;
using Xunit;

namespace Personalize.Infrastructure.Tests;

[Collection(KubeCollection.Name)]
public sealed class KubeApiServerTests(KubeApiServer kube)
{
    [Fact]
    public async Task ConfigMap_RoundTripsThroughKubernetesClient()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ns = await kube.CreateNamespaceAsync(cancellationToken: timeout.Token);
        using var client = kube.CreateClient();

        await client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "spec" }, Data = new Dictionary<string, string> { ["job.json"] = "{}" } },
            ns,
            cancellationToken: timeout.Token);
        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("spec", ns, cancellationToken: timeout.Token);

        Assert.Equal("{}", read.Data["job.json"]);
    }

    [Fact]
    public async Task Kubectl_TalksToTheServer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ns = await kube.CreateNamespaceAsync(cancellationToken: timeout.Token);
        const string manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: from-kubectl
            data:
              key: value
            """;

        (await kube.KubectlAsync(["apply", "-n", ns, "-f", "-"], manifest, timeout.Token)).EnsureSuccess("kubectl apply");
        var get = (await kube.KubectlAsync(["get", "configmap", "from-kubectl", "-n", ns, "-o", "json"], null, timeout.Token))
            .EnsureSuccess("kubectl get");

        using var json = JsonDocument.Parse(get.StdOut);
        Assert.Equal("value", json.RootElement.GetProperty("data").GetProperty("key").GetString());
    }

    [Fact]
    public async Task Rbac_IsEnforcedForServiceAccounts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ns = await kube.CreateNamespaceAsync(cancellationToken: timeout.Token);
        using var asServiceAccount = kube.CreateClientForServiceAccount(ns, "operator");

        var denied = await Assert.ThrowsAsync<HttpOperationException>(
            () => asServiceAccount.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: timeout.Token));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);

        using var admin = kube.CreateClient();
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(
            new V1Role
            {
                Metadata = new V1ObjectMeta { Name = "read-configmaps" },
                Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["list"] }],
            },
            ns,
            cancellationToken: timeout.Token);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(
            new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = "operator-reads" },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "read-configmaps" },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "operator", NamespaceProperty = ns }],
            },
            ns,
            cancellationToken: timeout.Token);

        var allowed = await asServiceAccount.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: timeout.Token);
        Assert.NotNull(allowed.Items);
        var canI = await kube.KubectlAsync(
            ["auth", "can-i", "delete", "configmaps", "-n", ns, $"--as=system:serviceaccount:{ns}:operator"], null, timeout.Token);
        Assert.Equal("no", canI.StdOut.Trim());
    }
}
