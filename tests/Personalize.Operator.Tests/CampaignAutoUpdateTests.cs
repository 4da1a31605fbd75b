using System.Text;
using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Data.Storage;
using Personalize.Jobs;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// Automatic updates of aws-user-personalization campaigns (Personalize: every 2 hours, here every second): new data
/// gets the served model updated into a revision of the same version and rolled out, with no new SolutionVersion.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class CampaignAutoUpdateTests(OperatorEnvironment env)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task NewData_UpdatesTheServedModelIntoARevision_AndRollsOnto_ItWithoutANewVersion_AFailedUpdateKeepingThePreviousModel_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "autoupd");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns, s => s with { AutoUpdateInterval = Interval });
        await cluster.TrainedVersionAsync();
        var version = await TrainUserPersonalizationAsync(cluster);
        await cluster.StartCampaignAsync(Samples.Campaign(ns, version: version.Metadata.Name, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);

        // Nothing stored since the version trained: checks come and go, and nothing runs.
        var quiet = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.AutomaticUpdate?.Message?.StartsWith("no new data", StringComparison.Ordinal) == true, "a check that finds no new data");
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.AutomaticUpdate!.NextCheckDateTime > quiet.Status.AutomaticUpdate!.NextCheckDateTime, "a later check");
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("update-", StringComparison.Ordinal));
        Assert.Equal(0, quiet.Status.AutomaticUpdate!.ModelRevision);
        Assert.Equal(version.Status.ModelLocation, (await ConfigOfAsync(cluster)).ModelUri);

        // New items and their interactions are imported (the importer's Parquet parts in the group's datasets).
        var group = new StoreLayout(env.Bucket).DatasetGroup(ns, "retail");
        foreach (var type in new[] { "Items", "Interactions" })
        {
            await env.Objects.WriteAsync(StoreLayout.BulkData(group, type).Append("part-00001.parquet"), new MemoryStream(Encoding.UTF8.GetBytes("new rows")), CancellationToken.None);
        }

        // The first update fails: the campaign keeps serving the version's own model and says why.
        var failing = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("update-shop-", StringComparison.Ordinal));
        var spec = (await cluster.JobSpecOfAsync(failing)).Train!;
        Assert.Equal((TrainingModes.Update, true, version.Status.ModelLocation, Recipes.UserPersonalization), (spec.TrainingMode, spec.OnlyWithNewData, spec.BaseModelUri, spec.Recipe));
        Assert.Equal(StoreLayout.ModelRevision(group, "personal", "personal-v1", 1).ToString(), spec.ModelUri);
        await cluster.FinishJobAsync_AsFakeKubelet(failing.Metadata.Name, succeeded: false, message: "the trainer pod was OOMKilled");
        var failed = await cluster.WaitForAsync<Campaign>("shop", c => Condition(c)?.Status == "False", "the failed update's condition");
        Assert.Equal("AutoUpdateFailed", Condition(failed)!.Reason);
        Assert.Contains("OOMKilled", Condition(failed)!.Message, StringComparison.Ordinal);
        Assert.Equal((Phases.Active, 0), (failed.Status.Phase, failed.Status.AutomaticUpdate!.ModelRevision));
        Assert.Equal(version.Status.ModelLocation, (await ConfigOfAsync(cluster)).ModelUri);

        // The next one succeeds: revision 1 of the same version rolls out.
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("update-shop-", StringComparison.Ordinal) && j.Metadata.Name != failing.Metadata.Name);
        spec = (await cluster.JobSpecOfAsync(job)).Train!;
        var result = TestCluster.TrainSucceeded(spec.ModelUri, Recipes.UserPersonalization);
        result.StartedAt = DateTimeOffset.UtcNow;
        await cluster.WriteResultAsync_AsFakeTrainer(job, result);
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        await Testing.Wait.UntilAsync(async _ => (await ConfigOfAsync(cluster)).ModelUri == spec.ModelUri, TimeSpan.FromSeconds(30), "the runtime config to name revision 1");
        var rolling = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.AutomaticUpdate?.ModelRevision == 1, "revision 1");
        Assert.Equal(0, rolling.Status.AutomaticUpdate!.ServingModelRevision);
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");

        var updated = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.AutomaticUpdate?.ServingModelRevision == 1, "revision 1 serving");
        Assert.Equal(("personal-v1", Phases.Active, "True"), (updated.Status.ServingSolutionVersion, updated.Status.Phase, Condition(updated)!.Status));
        Assert.NotNull(updated.Status.AutomaticUpdate!.LastUpdatedDateTime);
        var versions = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<SolutionVersion>>(ApiGroup.Group, ApiGroup.Version, ns, "solutionversions");
        Assert.Equal(["hrnn-v1", "personal-v1"], versions.Items.Select(v => v.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal(version.Status.Metrics, versions.Items.Single(v => v.Metadata.Name == "personal-v1").Status.Metrics);
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.Reason == "AutoUpdated" && e.InvolvedObject.Name == "shop");
        Assert.Contains(events.Items, e => e.Reason == "AutoUpdateFailed" && e.Type == "Warning" && e.Message.Contains("OOMKilled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewData_LeavesACampaignOfAnotherRecipe_AndOneWhoseVersionAnUpdateContinued_AsTheyAre_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "noautoupd");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns, s => s with { AutoUpdateInterval = Interval });
        await cluster.TrainedVersionAsync();
        await TrainUserPersonalizationAsync(cluster);
        await cluster.StartCampaignAsync(Samples.Campaign(ns, name: "hrnn-shop", version: "hrnn-v1", minTps: 1));
        await cluster.StartCampaignAsync(Samples.Campaign(ns, name: "personal-shop", version: "personal-v1", minTps: 1));
        await cluster.WaitForAsync<Campaign>("personal-shop", c => c.Status.AutomaticUpdate?.Message?.StartsWith("no new data", StringComparison.Ordinal) == true, "a check");

        // An explicit UPDATE of the user-personalization solution stops its FULL version's automatic updates.
        var update = Samples.Version(ns, "personal-v2", solution: "personal");
        update.Spec.TrainingMode = TrainingModes.Update;
        await cluster.CreateAsync(update);
        var stopped = await cluster.WaitForAsync<Campaign>("personal-shop", c => c.Status.AutomaticUpdate?.Message?.StartsWith("stopped", StringComparison.Ordinal) == true, "the updates to stop");
        Assert.Contains("personal-v2", stopped.Status.AutomaticUpdate!.Message, StringComparison.Ordinal);
        Assert.Null(stopped.Status.AutomaticUpdate.NextCheckDateTime);

        var group = new StoreLayout(env.Bucket).DatasetGroup(ns, "retail");
        await env.Objects.WriteAsync(StoreLayout.BulkData(group, "Interactions").Append("part-00001.parquet"), new MemoryStream(Encoding.UTF8.GetBytes("new rows")), CancellationToken.None);
        var reconciles = CampaignReconciles(op);
        await Testing.Wait.UntilAsync(() => CampaignReconciles(op) >= reconciles + 6, TimeSpan.FromSeconds(30), "six more campaign reconciles");

        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("update-", StringComparison.Ordinal));
        var hrnn = await cluster.GetAsync<Campaign>("hrnn-shop");
        Assert.Null(hrnn.Status.AutomaticUpdate);
        Assert.Null(Condition(hrnn));
        Assert.Equal(0, (await cluster.GetAsync<Campaign>("personal-shop")).Status.AutomaticUpdate!.ModelRevision);
    }

    /// <summary>An aws-user-personalization solution of the sample group and its FULL version, playing kubelet and trainer.</summary>
    private static async Task<SolutionVersion> TrainUserPersonalizationAsync(TestCluster cluster)
    {
        var solution = Samples.Solution(cluster.Namespace, name: "personal");
        solution.Spec.RecipeArn = Arn.Recipe(Recipes.UserPersonalization);
        solution.Spec.SolutionConfig = null;
        await cluster.CreateAsync(solution);
        await cluster.CreateAsync(Samples.Version(cluster.Namespace, "personal-v1", solution: "personal"));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-personal-v1-", StringComparison.Ordinal));
        var spec = await cluster.JobSpecOfAsync(job);
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.TrainSucceeded(spec.Train!.ModelUri, Recipes.UserPersonalization));
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        return await cluster.WaitForPhaseAsync<SolutionVersion>("personal-v1", Phases.Active);
    }

    private static Condition? Condition(Campaign campaign) => campaign.Status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.AutoUpdated);

    private static async Task<RuntimeConfig> ConfigOfAsync(TestCluster cluster)
    {
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", cluster.Namespace);
        var map = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(deployment.Spec.Template.Spec.Volumes[0].ConfigMap.Name, cluster.Namespace);
        return JobJson.Deserialize<RuntimeConfig>(map.Data[RuntimeConfig.FileName]);
    }

    private static double CampaignReconciles(RunningOperator op) =>
        op.Host.Metrics.Reconciles.WithLabels("Campaign", "success").Value + op.Host.Metrics.Reconciles.WithLabels("Campaign", "requeue").Value;
}
