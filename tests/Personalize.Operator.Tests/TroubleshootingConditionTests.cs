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
    public async Task ImportWhoseDatasetIsForcedAwayWhileItRuns_IsParentMissing_NamingIt_UntilTheDatasetIsBack_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "parentgone");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        await cluster.MarkJobRunningAsync_AsFakeKubelet(job.Metadata.Name);
        await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Any(c => c.Reason == "JobRunning"), "JobRunning");

        // The deletion waits for the running import; a user who strips the finalizer makes the Dataset go anyway.
        await cluster.DeleteAsync<Dataset>("interactions");
        await cluster.WaitForAsync<Dataset>("interactions", d => d.Status.Conditions.Any(c => c.Reason == "HasChildren"), "HasChildren");
        var dataset = ApiGroup.EntityOf<Dataset>();
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), dataset.Group, dataset.ApiVersion, ns, dataset.PluralName, "interactions");
        await cluster.WaitGoneAsync<Dataset>("interactions");

        var orphaned = await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Any(c => c.Reason == "ParentMissing"), "ParentMissing");
        var ready = orphaned.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.StartsWith("Dataset interactions (spec.datasetRef) was deleted while this job ran", ready.Message);
        Assert.Equal(Phases.CreateInProgress, orphaned.Status.Phase);

        await cluster.CreateAsync(Samples.Dataset(ns));
        await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason == "JobRunning", "JobRunning again");
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.Active);
    }

    [Fact]
    public async Task SchemaThatBreaksARule_IsInvalidSchema_NamingTheField_AndFixingItLetsItsDatasetProceed()
    {
        using var cluster = await TestCluster.CreateAsync(env, "badschema");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        var nested = Samples.InteractionsSchema.Replace("""{"name":"TIMESTAMP","type":"long"}""", """{"name":"TIMESTAMP","type":{"type":"array","items":"long"}}""", StringComparison.Ordinal);
        Assert.NotEqual(Samples.InteractionsSchema, nested);
        await cluster.CreateAsync(Samples.Schema(ns, json: nested));
        await cluster.CreateAsync(Samples.Dataset(ns));

        var failed = await cluster.WaitForPhaseAsync<Schema>("interactions", Phases.CreateFailed);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Equal("InvalidSchema", ready.Reason);
        Assert.StartsWith("spec.schema TIMESTAMP: schemas must be flat", ready.Message);
        await cluster.WaitForAsync<Dataset>("interactions", d => d.Status.Conditions.Any(c => c.Reason == "WaitingForSchema"), "WaitingForSchema");

        // A schema that never became ACTIVE has accepted nothing yet: applying the fixed one in its place is allowed.
        var fixedSchema = System.Text.Json.JsonSerializer.Serialize(new { spec = new { schema = Samples.InteractionsSchema } });
        await cluster.PatchSpecAsync<Schema>("interactions", fixedSchema);
        var active = await cluster.WaitForPhaseAsync<Schema>("interactions", Phases.Active);
        Assert.Equal("Active", active.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason);
        await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.Active);
    }

    [Fact]
    public async Task HyperParameterOutsideTheRecipesRange_IsInvalidSpec_NamingTheFieldAndRange_UntilTheSpecIsFixed()
    {
        using var cluster = await TestCluster.CreateAsync(env, "badspec");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        var solution = Samples.Solution(ns);
        solution.Spec.SolutionConfig!.AlgorithmHyperParameters!["hidden_dimension"] = "1024";
        await cluster.CreateAsync(solution);

        var failed = await cluster.WaitForPhaseAsync<Solution>("hrnn", Phases.CreateFailed);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Equal("InvalidSpec", ready.Reason);
        Assert.StartsWith("solutionConfig.algorithmHyperParameters.hidden_dimension:", ready.Message);
        Assert.Contains("256", ready.Message);
        Assert.Equal(ready.Message, failed.Status.FailureReason);

        await cluster.PatchSpecAsync<Solution>("hrnn", """{"spec":{"solutionConfig":{"algorithmHyperParameters":{"hidden_dimension":"64"}}}}""");
        var active = await cluster.WaitForPhaseAsync<Solution>("hrnn", Phases.Active);
        Assert.Equal(ConditionStatus.True, active.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Status);
        Assert.Null(active.Status.FailureReason);
    }

    [Fact]
    public async Task CampaignOfAFailedVersion_IsSolutionVersionFailed_NamingIt_UntilItPointsAtAGoodOne_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "svfailed");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        await cluster.CreateAsync(Samples.Solution(ns));
        await cluster.CreateAsync(Samples.Version(ns, "hrnn-v1"));
        var import = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(import, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(import.Metadata.Name, succeeded: true);
        var train = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-hrnn-v1-", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(train, TestCluster.Succeeded(r => (r.Status, r.FailureReason) = (Jobs.JobResult.Failed, "fewer than 1,000 interactions")));
        await cluster.FinishJobAsync_AsFakeKubelet(train.Metadata.Name, succeeded: false);
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.CreateFailed);

        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));

        var failed = await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.CreateFailed);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Equal("SolutionVersionFailed", ready.Reason);
        Assert.Equal("SolutionVersion hrnn-v1 failed: fewer than 1,000 interactions", ready.Message);
        Assert.Empty((await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);

        await cluster.TrainAnotherVersionAsync("hrnn-v2");
        await cluster.PatchSpecAsync<Campaign>("shop", """{"spec":{"solutionVersionRef":{"name":"hrnn-v2"}}}""");
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.CreateInProgress);
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");
        var serving = await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        Assert.Equal("Serving", serving.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal("hrnn-v2", serving.Status.ServingSolutionVersion);
        Assert.Null(serving.Status.FailureReason);
    }

    [Fact]
    public async Task FirstRuntimeWhosePodsNeverBecomeReady_IsRuntimeStuck_NamingTheReplicaSet_UntilTheyDo_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "rtstuck");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.CreateInProgress);
        await cluster.WaitForDeploymentAsync("personalize.io/campaign=shop");

        await PlayDeploymentControllerAsync(cluster, "shop", (Replicas: 1, Updated: 1, Ready: 0), ("False", "ProgressDeadlineExceeded", "ReplicaSet \"shop-7d9f\" has timed out progressing."));

        var stuck = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.Conditions.Any(x => x.Reason == "RuntimeStuck"), "RuntimeStuck");
        var ready = stuck.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Equal("ProgressDeadlineExceeded: ReplicaSet \"shop-7d9f\" has timed out progressing.", ready.Message);
        Assert.Equal(Phases.CreateInProgress, stuck.Status.Phase);
        Assert.Null(stuck.Status.ServingSolutionVersion);

        await PlayDeploymentControllerAsync(cluster, "shop", (Replicas: 1, Updated: 1, Ready: 1), ("True", "NewReplicaSetAvailable", "ReplicaSet \"shop-7d9f\" has successfully progressed."));
        var serving = await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        Assert.Equal("Serving", serving.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal("hrnn-v1", serving.Status.ServingSolutionVersion);
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

        // The new pod never became ready, so progress stopped at the deadline.
        await PlayDeploymentControllerAsync(cluster, "shop", (Replicas: 2, Updated: 1, Ready: 1), ("False", "ProgressDeadlineExceeded", "ReplicaSet \"shop-2\" has timed out progressing."));

        var stuck = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.Conditions.Any(x => x.Reason == "RolloutStuck"), "RolloutStuck");
        var ready = stuck.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(ConditionStatus.True, ready.Status);
        Assert.Contains("ProgressDeadlineExceeded", ready.Message);
        Assert.Equal("hrnn-v1", stuck.Status.ServingSolutionVersion);
        Assert.Equal(Phases.CreateInProgress, stuck.Status.LatestCampaignUpdate?.Phase);
    }

    /// <summary>Plays the Deployment controller (no kubelet runs here): the current template's pods, so many ready, and its Progressing condition.</summary>
    private static async Task PlayDeploymentControllerAsync(TestCluster cluster, string name, (int Replicas, int Updated, int Ready) pods, (string Status, string Reason, string Message) progressing)
    {
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(name, cluster.Namespace);
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = new
        {
            observedGeneration = deployment.Metadata.Generation,
            replicas = pods.Replicas,
            updatedReplicas = pods.Updated,
            readyReplicas = pods.Ready,
            availableReplicas = pods.Ready,
            unavailableReplicas = pods.Replicas - pods.Ready,
            conditions = new[] { new { type = "Progressing", status = progressing.Status, reason = progressing.Reason, message = progressing.Message, lastUpdateTime = now, lastTransitionTime = now } },
        };
        var patch = System.Text.Json.JsonSerializer.Serialize(new { status });
        await cluster.Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, cluster.Namespace);
    }
}
