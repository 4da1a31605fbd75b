using System.Globalization;
using k8s;
using k8s.Models;
using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// The README's JobPending, on the pod the real Job controller creates: the test plays the scheduler that cannot
/// place it, then the kubelet that cannot pull its image and at last runs it.
/// </summary>
[Collection(OperatorWithControllersCollection.Name)]
public sealed class TrainerPodSchedulingTests(OperatorEnvironmentWithControllers env)
{
    private const string NoNode = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.";
    private const string PullError = "rpc error: code = NotFound desc = failed to pull image personalize-trainer";

    [Fact]
    public async Task TrainerPodNoNodeCanTake_IsJobPending_WithTheSchedulersThenTheKubeletsReason_UntilItRuns()
    {
        using var cluster = await TestCluster.CreateAsync(env, "pending");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        var pod = await WaitForPodAsync(cluster, job);

        // The Job counts a pod that waits for a node as active: that alone must not read as running.
        await PatchPodStatusAsync(cluster, pod, $$$"""{"status":{"conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"{{{NoNode}}}","lastTransitionTime":"{{{Now()}}}"}]}}""");
        var pending = await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Any(c => c.Reason == "JobPending" && c.Message.Contains(NoNode, StringComparison.Ordinal)), "JobPending with the scheduler's reason");
        var ready = pending.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Equal($"trainer pod {pod} is not scheduled: Unschedulable: {NoNode}", ready.Message);
        Assert.Equal("JobPending", pending.Status.Conditions.Single(c => c.Type == ConditionTypes.Succeeded).Reason);
        Assert.Equal(Phases.CreateInProgress, pending.Status.Phase);

        // Placed on a node whose kubelet cannot pull the image: still pending, now with the kubelet's reason.
        await PatchPodStatusAsync(cluster, pod, $$$$"""
            {"status":{"conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"{{{{Now()}}}}"}],
            "containerStatuses":[{"name":"trainer","ready":false,"restartCount":0,"image":"personalize-trainer","imageID":"","state":{"waiting":{"reason":"ErrImagePull","message":"{{{{PullError}}}}"}}}]}}
            """);
        var pulling = await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Any(c => c.Reason == "JobPending" && c.Message.Contains("ErrImagePull", StringComparison.Ordinal)), "JobPending with the kubelet's reason");
        Assert.Equal($"trainer pod {pod} is starting: ErrImagePull: {PullError}", pulling.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);

        await PatchPodStatusAsync(cluster, pod, $$$"""{"status":{"phase":"Running","startTime":"{{{Now()}}}","conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"{{{Now()}}}"}]}}""");
        var running = await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason == "JobRunning", "JobRunning");
        Assert.Equal(Phases.CreateInProgress, running.Status.Phase);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static async Task<string> WaitForPodAsync(TestCluster cluster, V1Job job)
    {
        string? name = null;
        await Testing.Wait.UntilAsync(async t =>
        {
            var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: $"controller-uid={job.Metadata.Uid}", cancellationToken: t);
            name = pods.Items.FirstOrDefault()?.Metadata.Name;
            return name is not null;
        }, TimeSpan.FromSeconds(60), $"the pod of Job {job.Metadata.Name}");
        return name!;
    }

    /// <summary>Plays the scheduler or the kubelet, the writers of a pod's status.</summary>
    private static Task PatchPodStatusAsync(TestCluster cluster, string pod, string mergePatch) =>
        cluster.Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(mergePatch, V1Patch.PatchType.StrategicMergePatch), pod, cluster.Namespace);
}
