using k8s;
using k8s.Models;
using Personalize.Testing;
using Xunit;

namespace Personalize.Infrastructure.Tests;

[Collection(KubeWithControllersCollection.Name)]
public sealed class ControllerManagerTests(KubeApiServerWithControllers kube)
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "runtime" };

    [Fact]
    public async Task Deployment_GetsAReplicaSetAndPendingPods()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ns = await kube.CreateNamespaceAsync(cancellationToken: timeout.Token);
        using var client = kube.CreateClient();

        await client.AppsV1.CreateNamespacedDeploymentAsync(
            new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = "runtime" },
                Spec = new V1DeploymentSpec
                {
                    Replicas = 2,
                    Selector = new V1LabelSelector { MatchLabels = Labels },
                    Template = PodTemplate(),
                },
            },
            ns,
            cancellationToken: timeout.Token);

        await Wait.UntilAsync(
            async ct => (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct)).Items.Count == 2,
            TimeSpan.FromSeconds(45),
            "two pods of the deployment",
            timeout.Token);
        var replicaSets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: timeout.Token);
        var replicaSet = Assert.Single(replicaSets.Items);
        Assert.Equal("Deployment", replicaSet.OwnerReferences().Single().Kind);
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: timeout.Token);
        Assert.All(pods.Items, pod => Assert.Equal("Pending", pod.Status.Phase));
    }

    [Fact]
    public async Task Job_GetsAPod()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ns = await kube.CreateNamespaceAsync(cancellationToken: timeout.Token);
        using var client = kube.CreateClient();
        var template = PodTemplate();
        template.Spec.RestartPolicy = "Never";

        await client.BatchV1.CreateNamespacedJobAsync(
            new V1Job { Metadata = new V1ObjectMeta { Name = "train" }, Spec = new V1JobSpec { Template = template } },
            ns,
            cancellationToken: timeout.Token);

        await Wait.UntilAsync(
            async ct => (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=train", cancellationToken: ct)).Items.Count == 1,
            TimeSpan.FromSeconds(45),
            "the pod of the job",
            timeout.Token);
    }

    private static V1PodTemplateSpec PodTemplate() => new()
    {
        Metadata = new V1ObjectMeta { Labels = Labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "example.invalid/runtime:test" }] },
    };
}
