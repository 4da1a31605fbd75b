using System.Globalization;
using k8s;
using k8s.Models;
using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>The README's troubleshooting reasons, each raised in the situation the README names.</summary>
[Collection(OperatorCollection.Name)]
public sealed class TroubleshootingConditionTests(OperatorEnvironment env)
{
    [Fact]
    public async Task SecondDatasetOfAType_IsDuplicateDatasetType_AndTheFirstStaysActive()
    {
        using var cluster = await TestCluster.CreateAsync(env, "dup");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.Active);

        await cluster.CreateAsync(Samples.Dataset(ns, name: "more-interactions"));

        var duplicate = await cluster.WaitForPhaseAsync<Dataset>("more-interactions", Phases.CreateFailed);
        var ready = duplicate.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("DuplicateDatasetType", ready.Reason);
        Assert.StartsWith("spec.datasetType:", ready.Message);
        Assert.Contains("(interactions)", ready.Message);
        Assert.Equal(Phases.Active, (await cluster.GetAsync<Dataset>("interactions")).Status.Phase);
    }

    [Fact]
    public async Task SecondEventTrackerOfAGroup_IsDuplicateEventTracker_AndTheFirstStaysActive()
    {
        using var cluster = await TestCluster.CreateAsync(env, "duptracker");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Tracker(ns));
        await cluster.WaitForPhaseAsync<EventTracker>("events", Phases.Active);

        await cluster.CreateAsync(Samples.Tracker(ns, name: "events-2"));

        var duplicate = await cluster.WaitForPhaseAsync<EventTracker>("events-2", Phases.CreateFailed);
        var ready = duplicate.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("DuplicateEventTracker", ready.Reason);
        Assert.StartsWith("spec.datasetGroupRef:", ready.Message);
        Assert.Contains("(events)", ready.Message);
        Assert.Equal(Phases.Active, (await cluster.GetAsync<EventTracker>("events")).Status.Phase);
    }

    [Fact]
    public async Task DatasetWhoseSchemaDescribesAnotherType_IsSchemaMismatch()
    {
        using var cluster = await TestCluster.CreateAsync(env, "mismatch");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Schema(ns));
        var users = Samples.Dataset(ns, name: "users");
        users.Spec.DatasetType = "Users";
        await cluster.CreateAsync(users);

        var failed = await cluster.WaitForPhaseAsync<Dataset>("users", Phases.CreateFailed);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("SchemaMismatch", ready.Reason);
        Assert.Equal("spec.schemaRef: Schema interactions describes Interactions records, but spec.datasetType is Users", ready.Message);
    }

    [Fact]
    public async Task FilterThatDoesNotParse_IsInvalidFilterExpression_NamingTheField()
    {
        using var cluster = await TestCluster.CreateAsync(env, "badfilter");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Filter(ns, expression: "EXCLUDE ItemID WHERE"));

        var failed = await cluster.WaitForPhaseAsync<Filter>("no-purchased", Phases.CreateFailed);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("InvalidFilterExpression", ready.Reason);
        Assert.StartsWith("spec.filterExpression", ready.Message);
    }

    [Fact]
    public async Task UpdateVersionWithoutAnActiveFullOne_IsNoFullVersion_AndStartsNoTraining_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "nofull");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        await cluster.CreateAsync(Samples.Solution(ns));
        var import = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(import, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(import.Metadata.Name, succeeded: true);

        var update = Samples.Version(ns, "hrnn-update");
        update.Spec.TrainingMode = TrainingModes.Update;
        await cluster.CreateAsync(update);

        var failed = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-update", Phases.CreateFailed);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("NoFullVersion", ready.Reason);
        Assert.StartsWith("spec.trainingMode:", ready.Message);
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RolloutWhosePodsNeverBecomeReady_IsRolloutStuck_WhileTheOldVersionKeepsServing_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "stuck");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        var before = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);
        await cluster.TrainAnotherVersionAsync("hrnn-v2");

        await cluster.PatchSpecAsync<Campaign>("shop", """{"spec":{"solutionVersionRef":{"name":"hrnn-v2"}}}""");
        V1Deployment rolling = before;
        await Testing.Wait.UntilAsync(async t =>
        {
            rolling = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns, cancellationToken: t);
            return rolling.Metadata.Generation > before.Metadata.Generation;
        }, TimeSpan.FromSeconds(40), "the new version's pod template");

        // Plays the Deployment controller: the new pod never became ready, so progress stopped at the deadline.
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var generation = rolling.Metadata.Generation!.Value.ToString(CultureInfo.InvariantCulture);
        var patch = $$$"""
            {"status":{"observedGeneration":{{{generation}}},"replicas":2,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1,"unavailableReplicas":1,
            "conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded","message":"ReplicaSet \"shop-2\" has timed out progressing.","lastUpdateTime":"{{{now}}}","lastTransitionTime":"{{{now}}}"}]}}
            """;
        await cluster.Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "shop", ns);

        var stuck = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.Conditions.Any(x => x.Reason == "RolloutStuck"), "RolloutStuck");
        var ready = stuck.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.True, ready.Status);
        Assert.Contains("ProgressDeadlineExceeded", ready.Message);
        Assert.Equal("hrnn-v1", stuck.Status.ServingSolutionVersion);
        Assert.Equal(Phases.CreateInProgress, stuck.Status.LatestCampaignUpdate?.Phase);
    }
}
