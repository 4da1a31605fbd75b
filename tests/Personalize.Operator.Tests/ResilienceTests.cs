using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Seams;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class ResilienceTests(OperatorEnvironment env)
{
    [Fact]
    public async Task OperatorRestartMidTraining_RecoversFromStatus_WithoutASecondJob_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "restart");
        var ns = cluster.Namespace;
        var first = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        var import = await cluster.WaitForJobAsync();
        await cluster.WriteResultAsync_AsFakeTrainer(import, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(import.Metadata.Name, succeeded: true);
        await cluster.CreateAsync(Samples.Solution(ns));
        await cluster.CreateAsync(Samples.Version(ns));
        var train = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));
        await cluster.MarkJobRunningAsync_AsFakeKubelet(train.Metadata.Name);
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.CreateInProgress);
        await first.DisposeAsync();

        // While no operator runs the training ends; the new operator reads it from the Job and S3.
        var spec = await cluster.JobSpecOfAsync(train);
        await cluster.WriteResultAsync_AsFakeTrainer(train, TestCluster.TrainSucceeded(spec.Train!.ModelUri));
        await cluster.FinishJobAsync_AsFakeKubelet(train.Metadata.Name, succeeded: true);
        await using var second = await RunningOperator.StartAsync(env, ns);
        var version = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.Active);
        Assert.Equal(train.Metadata.Name, version.Status.JobName);
        var trainJobs = (await cluster.JobsAsync()).Where(j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal)).ToList();
        Assert.Equal(train.Metadata.Uid, Assert.Single(trainJobs).Metadata.Uid);
    }

    [Fact]
    public async Task TwoOperators_OnlyTheLeaderReconciles_AndTheOtherTakesOverWhenItStops()
    {
        using var cluster = await TestCluster.CreateAsync(env, "leader");
        var ns = cluster.Namespace;
        var a = await RunningOperator.StartAsync(env, ns, s => s with { LeaderElection = true, Identity = "operator-a" });
        await Wait.UntilAsync(() => a.Host.IsLeader, TimeSpan.FromSeconds(20), "operator-a to lead");
        await using var b = await RunningOperator.StartAsync(env, ns, s => s with { LeaderElection = true, Identity = "operator-b" });
        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.WaitForPhaseAsync<DatasetGroup>("retail", Phases.Active);
        Assert.False(b.Host.IsLeader);
        Assert.Equal(0, Reconciles(b));
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("personalize-operator-leader", ns);
        Assert.Equal("operator-a", lease.Spec.HolderIdentity);

        await a.DisposeAsync();
        await Wait.UntilAsync(() => b.Host.IsLeader, TimeSpan.FromSeconds(30), "operator-b to take over");
        await cluster.CreateAsync(Samples.Schema(ns));
        await cluster.WaitForPhaseAsync<Schema>("interactions", Phases.Active);
        Assert.True(Reconciles(b) > 0);
    }

    [Fact]
    public async Task WatchExpiry410_ListsAgain_AndSeesWhatChangedMeanwhile()
    {
        using var cluster = await TestCluster.CreateAsync(env, "gone");
        var ns = cluster.Namespace;
        using var client = env.Client();
        var informers = new InformerOptions { ResyncPeriod = TimeSpan.FromMinutes(5), WatchTimeout = TimeSpan.FromMinutes(1), RetryBase = TimeSpan.FromMilliseconds(50) };
        var store = new KubernetesResourceStore(client, [ns], informers, new OperatorMetrics(), env.Loggers);
        using var stop = new CancellationTokenSource();
        await store.StartAsync(stop.Token);
        var informer = store.InformerOf<DatasetGroup>().In(ns)!;
        Assert.Equal(1, informer.Lists);
        await cluster.CreateAsync(Samples.Group(ns, "before"));
        await Wait.UntilAsync(() => store.Get<DatasetGroup>(ns, "before") is not null, TimeSpan.FromSeconds(10), "the watch to deliver 'before'");

        // A partition long enough for the server's watch window to move past the cache: it resumes from a
        // resourceVersion the server no longer serves, and the server answers 410 Gone.
        using (informer.SuspendWatch())
        {
            await cluster.DeleteAsync<DatasetGroup>("before");
            for (var i = 0; i < 20; i++)
            {
                await cluster.CreateAsync(Samples.Group(ns, $"churn-{i}"));
            }

            informer.RewindTo("1");
        }

        await Wait.UntilAsync(() => informer.Lists >= 2, TimeSpan.FromSeconds(20), "a re-list after 410 Gone");
        Assert.Null(store.Get<DatasetGroup>(ns, "before"));
        Assert.Equal(20, store.List<DatasetGroup>(ns).Count);
        await cluster.CreateAsync(Samples.Group(ns, "after"));
        await Wait.UntilAsync(() => store.Get<DatasetGroup>(ns, "after") is not null, TimeSpan.FromSeconds(10), "the resumed watch to deliver 'after'");
        await stop.CancelAsync();
        await store.Completion;
    }

    [Fact]
    public async Task ConflictingStatusWrites_AreReappliedToAFreshRead()
    {
        using var cluster = await TestCluster.CreateAsync(env, "conflict");
        var ns = cluster.Namespace;
        using var client = env.Client();
        var store = new KubernetesResourceStore(client, [ns], new InformerOptions(), new OperatorMetrics(), env.Loggers);
        using var stop = new CancellationTokenSource();
        await store.StartAsync(stop.Token);
        var created = await cluster.CreateAsync(Samples.Group(ns));
        var writer = new StatusWriter(store, TimeProvider.System);

        // Someone else writes status after our read: our stale write conflicts, then is re-applied on top of theirs.
        var theirs = await cluster.GetAsync<DatasetGroup>("retail");
        theirs.Status.StorageLocation = "s3://elsewhere/";
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<DatasetGroup>(theirs, ApiGroup.Group, ApiGroup.Version, ns, "datasetgroups", "retail");
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateStatusAsync(Tagged(created, "x"), CancellationToken.None));
        var written = await writer.UpdateAsync(created, g => g.Status.Phase = Phases.Active, CancellationToken.None);

        var stored = await cluster.GetAsync<DatasetGroup>("retail");
        Assert.Equal(Phases.Active, stored.Status.Phase);
        Assert.Equal("s3://elsewhere/", stored.Status.StorageLocation);
        Assert.Equal(written.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
        await stop.CancelAsync();
        await store.Completion;
    }

    private static DatasetGroup Tagged(DatasetGroup group, string phase)
    {
        var copy = StatusWriter.Clone(group);
        copy.Status.Phase = phase;
        return copy;
    }

    private static double Reconciles(RunningOperator op) =>
        op.Host.Metrics.Reconciles.WithLabels("DatasetGroup", "success").Value + op.Host.Metrics.Reconciles.WithLabels("Schema", "success").Value;
}
