using k8s;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Operator.Controllers.Reconcilers;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class DeletionTests(OperatorEnvironment env)
{
    [Fact]
    public async Task DeletingAParentWithChildren_IsRefusedInStatus_ThenCompletesOnceTheyAreGone()
    {
        using var cluster = await TestCluster.CreateAsync(env, "del");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Tracker(ns));
        await cluster.WaitForPhaseAsync<EventTracker>("events", Phases.Active);

        await cluster.DeleteAsync<DatasetGroup>("retail");
        var blocked = await cluster.WaitForPhaseAsync<DatasetGroup>("retail", Phases.DeletePending);
        var ready = blocked.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("HasChildren", ready.Reason);
        Assert.Contains("EventTracker events", ready.Message);

        await cluster.DeleteAsync<EventTracker>("events");
        await cluster.WaitGoneAsync<EventTracker>("events");
        await cluster.WaitGoneAsync<DatasetGroup>("retail");
    }

    [Fact]
    public async Task DeletingASolutionVersion_RemovesItsModel_UnlessRetained_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "del");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        var version = await cluster.TrainedVersionAsync();
        var model = S3Uri.Parse(version.Status.ModelLocation!).Append("manifest.json");
        await env.Objects.WriteAsync(model, new MemoryStream("{}"u8.ToArray()), CancellationToken.None);

        // Retained: the model stays after the version is gone.
        await cluster.PatchSpecAsync<SolutionVersion>("hrnn-v1", $$$$"""{"metadata":{"annotations":{"{{{{DeletionPolicy.Annotation}}}}":"Retain"}}}""");
        await cluster.WaitForAsync<SolutionVersion>("hrnn-v1", v => v.Metadata.Annotations?.ContainsKey(DeletionPolicy.Annotation) == true, "the annotation");
        await cluster.DeleteAsync<SolutionVersion>("hrnn-v1");
        await cluster.WaitGoneAsync<SolutionVersion>("hrnn-v1");
        Assert.NotNull(await env.Objects.StatAsync(model, CancellationToken.None));

        // Default policy Delete: a second version's data goes with it.
        await cluster.CreateAsync(Samples.Version(ns, "hrnn-v2"));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-hrnn-v2", StringComparison.Ordinal));
        var spec = await cluster.JobSpecOfAsync(job);
        var model2 = S3Uri.Parse(spec.Train!.ModelUri).Append("manifest.json");
        await env.Objects.WriteAsync(model2, new MemoryStream("{}"u8.ToArray()), CancellationToken.None);
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.TrainSucceeded(spec.Train.ModelUri));
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v2", Phases.Active);
        await cluster.DeleteAsync<SolutionVersion>("hrnn-v2");
        await cluster.WaitGoneAsync<SolutionVersion>("hrnn-v2");
        Assert.Null(await env.Objects.StatAsync(model2, CancellationToken.None));
        Assert.Null(await env.Objects.StatAsync(S3Uri.Parse(spec.ResultUri), CancellationToken.None));
    }

    [Fact]
    public async Task TheVersionASyncingCampaignServes_CannotBeDeleted_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "del");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        var campaign = Samples.Campaign(ns, minTps: 1);
        campaign.Spec.CampaignConfig = new CampaignConfig { SyncWithLatestSolutionVersion = true };
        await cluster.StartCampaignAsync(campaign);
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.ServingSolutionVersion == "hrnn-v1", "serving v1");

        // The spec still names v1; the runtime follows the solution to v2.
        await cluster.TrainAnotherVersionAsync("hrnn-v2");
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.LatestCampaignUpdate?.SolutionVersion == "hrnn-v2", "the rollout to v2");
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.ServingSolutionVersion == "hrnn-v2", "serving v2");

        await cluster.DeleteAsync<SolutionVersion>("hrnn-v2");
        var blocked = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v2", Phases.DeletePending);
        var ready = blocked.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("HasChildren", ready.Reason);
        Assert.Contains("Campaign shop", ready.Message);
    }

    [Fact]
    public async Task ThePreviousVersion_CannotBeDeletedWhileARolloutStillServesIt_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "del");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.ServingSolutionVersion == "hrnn-v1", "serving v1");
        await cluster.TrainAnotherVersionAsync("hrnn-v2");
        await cluster.PatchSpecAsync<Campaign>("shop", """{"spec":{"solutionVersionRef":{"name":"hrnn-v2"}}}""");
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.LatestCampaignUpdate?.SolutionVersion == "hrnn-v2", "the rollout to v2");

        await cluster.DeleteAsync<SolutionVersion>("hrnn-v1");
        var blocked = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.DeletePending);
        Assert.Contains("Campaign shop", blocked.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);

        // Once every replica serves v2, nothing serves v1 and its deletion goes through.
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.ServingSolutionVersion == "hrnn-v2", "serving v2");
        await cluster.WaitGoneAsync<SolutionVersion>("hrnn-v1");
    }

    [Fact]
    public async Task DeletingADataset_WaitsForATrainingThatReadsIt_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "del");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        var import = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(import, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(import.Metadata.Name, succeeded: true);
        await cluster.CreateAsync(Samples.Solution(ns));
        await cluster.CreateAsync(Samples.Version(ns));
        var train = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.CreateInProgress);

        await cluster.DeleteAsync<Dataset>("interactions");
        var blocked = await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.DeletePending);
        Assert.Contains("SolutionVersion hrnn-v1", blocked.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);

        var spec = await cluster.JobSpecOfAsync(train);
        await cluster.WriteResultAsync_AsFakeTrainer(train, TestCluster.TrainSucceeded(spec.Train!.ModelUri));
        await cluster.FinishJobAsync_AsFakeKubelet(train.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.Active);
        await cluster.WaitGoneAsync<Dataset>("interactions");
    }

    [Fact]
    public async Task DeletingACampaign_RemovesItsRuntime_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "del");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);

        await cluster.DeleteAsync<Campaign>("shop");
        await cluster.WaitGoneAsync<Campaign>("shop");
        Assert.Empty((await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedServiceAsync(ns)).Items);
    }
}
