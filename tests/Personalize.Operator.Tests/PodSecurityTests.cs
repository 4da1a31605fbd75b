using k8s;
using k8s.Models;
using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>Pods the Job and ReplicaSet controllers really create from the operator's templates (no kubelet runs them).</summary>
[Collection(OperatorWithControllersCollection.Name)]
public sealed class PodSecurityTests(OperatorEnvironmentWithControllers env)
{
    [Fact]
    public async Task TrainerAndRuntimePods_PassTheRestrictedProfile_WithAReadOnlyRootAndScratchInTmp_WithFakeTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "psa");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));

        var trainer = await WaitForPodAsync(cluster, "app.kubernetes.io/component=trainer");
        var runtime = await WaitForPodAsync(cluster, "app.kubernetes.io/component=runtime");
        foreach (var pod in new[] { trainer, runtime })
        {
            var what = pod.Metadata.Name;
            Assert.Empty(RestrictedProfile.Violations(pod.Spec));
            Assert.False(pod.Spec.AutomountServiceAccountToken);
            // No service-account token volume: only the job spec or runtime config, the scratch folder and the runtime's own token.
            Assert.Subset(new HashSet<string> { "job-spec", "config", "tmp", "auth" }, pod.Spec.Volumes.Select(v => v.Name).ToHashSet());
            var container = Assert.Single(pod.Spec.Containers);
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, what);
            var scratch = Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
            Assert.NotNull(pod.Spec.Volumes.Single(v => v.Name == scratch.Name).EmptyDir);
            Assert.Contains(container.Env, e => e.Name == "TMPDIR" && e.Value == "/tmp");
        }
    }

    [Fact]
    public async Task PodsRefusedByTheNamespace_AreNamedInTheJobAndCampaignStatus_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "refused");
        var ns = cluster.Namespace;
        await cluster.Client.CoreV1.CreateNamespacedResourceQuotaAsync(
            new V1ResourceQuota { Metadata = new V1ObjectMeta { Name = "no-pods" }, Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("0") } } }, ns);
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));

        var import = await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Any(c => c.Reason == "FailedCreate"), "FailedCreate in status");
        var ready = import.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.False(ready.Status == ConditionStatus.True);
        Assert.Contains("cannot create its pod", ready.Message);
        Assert.Contains("quota", ready.Message);
        Assert.Equal(Phases.CreateInProgress, import.Status.Phase);

        // The runtime's ReplicaSet is refused the same way.
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        await cluster.CreateAsync(Samples.Solution(ns));
        await cluster.TrainAnotherVersionAsync("hrnn-v1");
        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));
        var campaign = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.Conditions.Any(x => x.Message.Contains("FailedCreate", StringComparison.Ordinal)), "FailedCreate in status");
        var stuck = campaign.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("RuntimeStuck", stuck.Reason);
        Assert.StartsWith("FailedCreate: ", stuck.Message);
        Assert.Contains("quota", stuck.Message);
    }

    private static async Task<V1Pod> WaitForPodAsync(TestCluster cluster, string labelSelector)
    {
        V1Pod? pod = null;
        await Testing.Wait.UntilAsync(async t =>
        {
            pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: labelSelector, cancellationToken: t)).Items.FirstOrDefault();
            return pod is not null;
        }, TimeSpan.FromSeconds(60), $"a pod with {labelSelector}");
        return pod!;
    }
}
