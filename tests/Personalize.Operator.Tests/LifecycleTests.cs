using k8s;
using Personalize.Api;
using Personalize.Jobs;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class LifecycleTests(OperatorEnvironment env)
{
    [Fact]
    public async Task SampleChain_FromDatasetGroupToActiveCampaign_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "life");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);

        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        await cluster.CreateAsync(Samples.Solution(ns));
        await cluster.CreateAsync(Samples.Version(ns));
        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 650));
        await cluster.CreateAsync(Samples.Tracker(ns));
        await cluster.CreateAsync(Samples.Filter(ns));

        var group = await cluster.WaitForPhaseAsync<DatasetGroup>("retail", Phases.Active);
        Assert.Equal($"s3://{env.Bucket}/{ns}/retail/", group.Status.StorageLocation);
        Assert.Equal($"arn:k8s:personalize:{ns}::dataset-group/retail", group.Status.Arn);
        Assert.Contains("personalize.io/datasetgroup", group.Metadata.Finalizers);
        var schema = await cluster.WaitForPhaseAsync<Schema>("interactions", Phases.Active);
        Assert.Equal("Interactions", schema.Status.RecordName);
        await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.Active);

        // The import: a Job running the trainer's import verb with its spec in an owned ConfigMap.
        var importJob = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-", StringComparison.Ordinal));
        var importSpec = await cluster.JobSpecOfAsync(importJob);
        Assert.Equal(JobVerbs.Import, importSpec.Verb);
        Assert.Equal(["import", "--spec", "/etc/personalize/job.json"], importJob.Spec.Template.Spec.Containers[0].Args);
        Assert.Equal("s3://input-bucket/interactions.csv", importSpec.Import!.DataLocation);
        Assert.Equal("DatasetImportJob", importJob.Metadata.OwnerReferences.Single().Kind);
        Assert.Equal("personalize-s3", importJob.Spec.Template.Spec.Containers[0].EnvFrom[0].SecretRef.Name);
        var importing = await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.CreateInProgress);
        Assert.Equal(importJob.Metadata.Name, importing.Status.JobName);

        // The SolutionVersion waits for interactions before any training Job exists.
        var waiting = await cluster.WaitForAsync<SolutionVersion>("hrnn-v1", v => v.Status.Conditions.Any(c => c.Reason == "WaitingForInteractions"), "waiting for interactions");
        Assert.Equal(Phases.CreatePending, waiting.Status.Phase);
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));

        await cluster.WriteResultAsync_AsFakeTrainer(importJob, TestCluster.ImportSucceeded(1234));
        await cluster.FinishJobAsync_AsFakeKubelet(importJob.Metadata.Name, succeeded: true);
        var imported = await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.Active);
        Assert.Equal(1234, imported.Status.RowsImported);
        Assert.Contains(imported.Status.Conditions, c => c.Type == ConditionTypes.Succeeded && c.Status == ConditionStatus.True);
        await cluster.WaitForAsync<Dataset>("interactions", d => d.Status.RowCount == 1234, "row count from the import");

        // Training: the train verb with GPUs, node selector and tolerations from the SolutionVersion.
        var trainJob = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));
        var pod = trainJob.Spec.Template.Spec;
        Assert.Equal("1", pod.Containers[0].Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Equal("gpu", pod.NodeSelector["pool"]);
        Assert.Equal("nvidia.com/gpu", pod.Tolerations.Single().Key);
        var trainSpec = await cluster.JobSpecOfAsync(trainJob);
        Assert.Equal("aws-hrnn", trainSpec.Train!.Recipe);
        Assert.Equal("64", trainSpec.Train.AlgorithmHyperParameters["hidden_dimension"]);
        await cluster.MarkJobRunningAsync_AsFakeKubelet(trainJob.Metadata.Name);
        await cluster.WriteProgressAsync_AsFakeTrainer(trainJob, new JobProgress { Stage = "train", Epoch = 3, TotalEpochs = 10, Loss = 4.2, EtaSeconds = 70, PercentComplete = 30, Message = "epoch 3/10" });
        await cluster.WaitForAsync<SolutionVersion>("hrnn-v1", v => v.Status.Progress?.Epoch == 3, "training progress in status");
        await cluster.WriteResultAsync_AsFakeTrainer(trainJob, TestCluster.TrainSucceeded(trainSpec.Train.ModelUri));
        await cluster.FinishJobAsync_AsFakeKubelet(trainJob.Metadata.Name, succeeded: true);
        var version = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v1", Phases.Active);
        Assert.Equal(0.31, version.Status.Metrics!["normalized_discounted_cumulative_gain_at_10"]);
        Assert.Equal(trainSpec.Train.ModelUri, version.Status.ModelLocation);
        await cluster.WaitForAsync<Solution>("hrnn", s => s.Status.LatestSolutionVersion?.Phase == Phases.Active, "latest version in the solution");

        // The campaign: ceil(650 / 300) = 3 replicas, a Service and a PodDisruptionBudget, ACTIVE once ready.
        var starting = await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.CreateInProgress);
        Assert.Contains(starting.Status.Conditions, c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.False && c.Reason == "RuntimeStarting");
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Equal("Campaign", deployment.Metadata.OwnerReferences.Single().Kind);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("/readyz", deployment.Spec.Template.Spec.Containers[0].ReadinessProbe.HttpGet.Path);
        // Liveness waits for a start-up budget of five minutes: a slow model load is not killed and restarted.
        var startup = deployment.Spec.Template.Spec.Containers[0].StartupProbe;
        Assert.Equal("/healthz", startup.HttpGet.Path);
        Assert.Equal(300, startup.PeriodSeconds * startup.FailureThreshold);
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("shop", ns);
        Assert.Equal("shop", service.Spec.Selector["personalize.io/campaign"]);
        var runtimeConfigs = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "personalize.io/campaign=shop");
        var runtimeConfig = JobJson.Deserialize<RuntimeConfig>(runtimeConfigs.Items.Single().Data[RuntimeConfig.FileName]);
        Assert.Equal(version.Status.ModelLocation, runtimeConfig.ModelUri);
        Assert.Equal($"s3://{env.Bucket}/{ns}/retail/", runtimeConfig.DatasetGroupUri);
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");
        var campaign = await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);
        Assert.Equal("hrnn-v1", campaign.Status.ServingSolutionVersion);
        Assert.Equal($"http://shop.{ns}.svc.cluster.local", campaign.Status.Endpoint);
        Assert.Equal(3, campaign.Status.ReadyReplicas);
        Assert.Contains(campaign.Status.Conditions, c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True && c.ObservedGeneration == campaign.Metadata.Generation);

        var tracker = await cluster.WaitForAsync<EventTracker>("events", t => t.Status.Endpoints?.Count == 1, "the campaign endpoint");
        Assert.Equal(campaign.Status.Endpoint, tracker.Status.Endpoints!.Single());
        Assert.True(Guid.TryParse(tracker.Status.TrackingId, out _));
        var filter = await cluster.WaitForPhaseAsync<Filter>("no-purchased", Phases.Active);
        Assert.Equal($"arn:k8s:personalize:{ns}::filter/no-purchased", filter.Status.Arn);

        // The runtime learns the tracker and the filter (a config change rolls out).
        await Testing.Wait.UntilAsync(
            async _ => await ConfigOfAsync(cluster, ns) is { } config && config.TrackingIds.Contains(tracker.Status.TrackingId!)
                && config.Filters.SingleOrDefault() is { } served && served.FilterArn == filter.Status.Arn && served.FilterExpression == filter.Spec.FilterExpression,
            TimeSpan.FromSeconds(30),
            "runtime config with the tracker and the filter");

        // Each lifecycle step left an Event.
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.Reason == "JobCreated" && e.InvolvedObject.Kind == "SolutionVersion");
        Assert.Contains(events.Items, e => e.Reason == "Active" && e.InvolvedObject.Kind == "Campaign");
    }

    private static async Task<RuntimeConfig> ConfigOfAsync(TestCluster cluster, string ns)
    {
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);
        var map = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(deployment.Spec.Template.Spec.Volumes[0].ConfigMap.Name, ns);
        return JobJson.Deserialize<RuntimeConfig>(map.Data[RuntimeConfig.FileName]);
    }
}
