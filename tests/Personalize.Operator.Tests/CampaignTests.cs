using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class CampaignTests(OperatorEnvironment env)
{
    [Fact]
    public async Task NewSolutionVersion_RollsOut_WhileTheOldOneKeepsServingUntilReady_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "roll");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForAsync<Campaign>("shop", c => c.Status.ServingSolutionVersion == "hrnn-v1", "serving v1");
        var before = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);

        await cluster.CreateAsync(Samples.Version(ns, "hrnn-v2"));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-hrnn-v2", StringComparison.Ordinal));
        var spec = await cluster.JobSpecOfAsync(job);
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.TrainSucceeded(spec.Train!.ModelUri));
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v2", Phases.Active);
        await cluster.PatchSpecAsync<Campaign>("shop", """{"spec":{"solutionVersionRef":{"name":"hrnn-v2"}}}""");

        var rolling = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.LatestCampaignUpdate?.SolutionVersion == "hrnn-v2", "the update to start");
        Assert.Equal("hrnn-v1", rolling.Status.ServingSolutionVersion);
        Assert.Equal(Phases.Active, rolling.Status.Phase);
        var after = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);
        Assert.NotEqual(before.Spec.Template.Metadata.Annotations["personalize.io/config-hash"], after.Spec.Template.Metadata.Annotations["personalize.io/config-hash"]);
        Assert.Equal("hrnn-v2", after.Spec.Template.Metadata.Labels["personalize.io/solution-version"]);

        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet("shop");
        var done = await cluster.WaitForAsync<Campaign>("shop", c => c.Status.ServingSolutionVersion == "hrnn-v2", "serving v2");
        Assert.Equal(Phases.Active, done.Status.LatestCampaignUpdate!.Phase);
    }

    [Fact]
    public async Task OneReplicaCampaign_LetsANodeDrainEvictItsPod_AndShedsAboveItsRateLimit_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "drain");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);

        // Overload sheds: each replica is told its rate limit (settings: 300 per replica).
        var config = (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "personalize.io/campaign=shop")).Items.Single();
        Assert.Equal(300, Personalize.Jobs.JobJson.Deserialize<Personalize.Jobs.RuntimeConfig>(config.Data["runtime.json"]).Limits.MaxRequestsPerSecond);

        // One replica, one allowed eviction: a budget of minAvailable 1 would refuse every drain of the node.
        var pdb = await cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync<k8s.Models.V1PodDisruptionBudget>("policy", "v1beta1", ns, "poddisruptionbudgets", "shop");
        Assert.Null(pdb.Spec.MinAvailable);
        Assert.Equal("1", pdb.Spec.MaxUnavailable?.Value);
    }

    [Fact]
    public async Task ScoringMethod_ReachesTheRuntimeConfig_AndAnUnknownOneIsRefused_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "scoring");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        var campaign = Samples.Campaign(ns, minTps: 1);
        campaign.Spec.CampaignConfig = new CampaignConfig { ScoringMethod = "exact" };
        await cluster.StartCampaignAsync(campaign);
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);

        var config = (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "personalize.io/campaign=shop")).Items.Single();
        Assert.Equal("exact", Personalize.Jobs.JobJson.Deserialize<Personalize.Jobs.RuntimeConfig>(config.Data["runtime.json"]).CampaignConfig.ScoringMethod);

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            cluster.PatchSpecAsync<Campaign>("shop", """{"spec":{"campaignConfig":{"scoringMethod":"fastest"}}}"""));
        Assert.Contains("scoringMethod", refused.Response.Content);
    }

    [Fact]
    public async Task CampaignNamedWithALeadingDigit_GetsAValidServiceName_AndServes_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "digit");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(Samples.Campaign(ns, name: "1st-shop", minTps: 1));

        var deployment = await cluster.WaitForDeploymentAsync("personalize.io/owner-name=1st-shop");
        var name = deployment.Metadata.Name;
        Assert.Matches("^[a-z]([-a-z0-9]*[a-z0-9])?$", name);
        await cluster.MarkDeploymentReadyAsync_AsFakeKubelet(name);
        var active = await cluster.WaitForPhaseAsync<Campaign>("1st-shop", Phases.Active);
        Assert.Equal($"http://{name}.{ns}.svc.cluster.local", active.Status.Endpoint);
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(name, ns);
        Assert.Equal("1st-shop", service.Metadata.OwnerReferences.Single().Name);

        await cluster.DeleteAsync<Campaign>("1st-shop");
        await cluster.WaitGoneAsync<Campaign>("1st-shop");
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedServiceAsync(ns)).Items);
    }

    [Fact]
    public async Task EditsOfTheRuntimesDeploymentAndService_AreSetBack_AndNewPodSettingsReachThem_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "drift");
        var ns = cluster.Namespace;
        var pod = new RuntimePod
        {
            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } },
            NodeSelector = new() { ["pool"] = "serving" },
        };
        var first = await RunningOperator.StartAsync(env, ns, s => s with { Pods = new PodDefaults { Runtime = pod } });
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);

        // Someone edits what the operator set: the pod's resources, scheduling and probe, and the Service's port.
        await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""
            {"spec":{"template":{"spec":{"nodeSelector":{"pool":"cheap"},"containers":[{"name":"runtime",
              "resources":{"requests":{"cpu":"7"}},"readinessProbe":{"periodSeconds":60}}]}}}}
            """, V1Patch.PatchType.StrategicMergePatch), "shop", ns);
        await cluster.Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("""{"spec":{"ports":[{"name":"http","port":80,"targetPort":9999}]}}""", V1Patch.PatchType.StrategicMergePatch), "shop", ns);
        await Testing.Wait.UntilAsync(async t =>
        {
            var d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns, cancellationToken: t);
            var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("shop", ns, cancellationToken: t);
            var c = d.Spec.Template.Spec.Containers.Single();
            return d.Spec.Template.Spec.NodeSelector["pool"] == "serving" && c.Resources.Requests["cpu"].ToString() == "500m"
                && c.ReadinessProbe.PeriodSeconds == 2 && service.Spec.Ports.Single().TargetPort.Value == "8080";
        }, TimeSpan.FromSeconds(30), "the operator to set its fields back");

        // Nothing changes while nothing drifts: applying the same object again writes nothing.
        var settled = (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns)).Metadata.ResourceVersion;
        var reconciles = CampaignReconciles(first);
        await Testing.Wait.UntilAsync(() => CampaignReconciles(first) >= reconciles + 3, TimeSpan.FromSeconds(30), "three more campaign reconciles");
        Assert.Equal(settled, (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns)).Metadata.ResourceVersion);
        await first.DisposeAsync();

        // A changed chart value (runtime.resources) reaches the running campaign.
        pod.Resources.Requests["cpu"] = new ResourceQuantity("750m");
        await using var second = await RunningOperator.StartAsync(env, ns, s => s with { Pods = new PodDefaults { Runtime = pod } });
        await Testing.Wait.UntilAsync(async t =>
        {
            var d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns, cancellationToken: t);
            return d.Spec.Template.Spec.Containers.Single().Resources.Requests["cpu"].ToString() == "750m";
        }, TimeSpan.FromSeconds(30), "the new runtime resources to reach the Deployment");
    }

    [Fact]
    public async Task EachCampaignsRuntime_RequiresItsToken_FromAManagedSecret_RotatedWithoutARollout_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "token");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.StartCampaignAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForPhaseAsync<Campaign>("shop", Phases.Active);

        var secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("shop-token", ns);
        var first = System.Text.Encoding.UTF8.GetString(secret.Data["token"]);
        Assert.True(first.Length >= 40, first);
        Assert.Equal("shop", secret.Metadata.OwnerReferences.Single().Name);
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns);
        var pod = deployment.Spec.Template.Spec;
        var mount = Assert.Single(pod.Containers.Single().VolumeMounts, m => m.MountPath == "/var/run/personalize/auth");
        Assert.Equal("shop-token", pod.Volumes.Single(v => v.Name == mount.Name).Secret.SecretName);
        Assert.Contains(pod.Containers.Single().Env, e => e.Name == "PERSONALIZE_RUNTIME_TOKEN_FILE" && e.Value == "/var/run/personalize/auth/accepted-tokens");

        // Rotation: a new token, the previous one still accepted, and the pods keep running (the mount updates).
        await cluster.PatchSpecAsync<Campaign>("shop", """{"metadata":{"annotations":{"personalize.io/rotate-token":"2026-11-29"}}}""");
        V1Secret rotated = secret;
        await Testing.Wait.UntilAsync(async t =>
        {
            rotated = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("shop-token", ns, cancellationToken: t);
            return System.Text.Encoding.UTF8.GetString(rotated.Data["token"]) != first;
        }, TimeSpan.FromSeconds(30), "a new token");
        var second = System.Text.Encoding.UTF8.GetString(rotated.Data["token"]);
        Assert.Equal($"{second}\n{first}\n", System.Text.Encoding.UTF8.GetString(rotated.Data["accepted-tokens"]));
        Assert.Equal(deployment.Metadata.Generation, (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("shop", ns)).Metadata.Generation);
    }

    private static double CampaignReconciles(RunningOperator op) =>
        op.Host.Metrics.Reconciles.WithLabels("Campaign", "success").Value + op.Host.Metrics.Reconciles.WithLabels("Campaign", "requeue").Value;

    [Fact]
    public async Task MetricsHealthAndReadiness_AreServed()
    {
        using var cluster = await TestCluster.CreateAsync(env, "metrics");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.WaitForPhaseAsync<DatasetGroup>("retail", Phases.Active);
        var url = op.Url;
        using var http = new HttpClient();

        Assert.Equal("ok", await http.GetStringAsync($"{url}/healthz"));
        Assert.StartsWith("ready", await http.GetStringAsync($"{url}/readyz"));
        var metrics = await http.GetStringAsync($"{url}/metrics");
        Assert.Contains("personalize_operator_reconciles_total{kind=\"DatasetGroup\",result=\"success\"}", metrics);
        Assert.Contains("personalize_operator_resources{kind=\"DatasetGroup\",phase=\"ACTIVE\"} 1", metrics);
        Assert.Contains("personalize_operator_reconcile_duration_seconds_bucket", metrics);
        Assert.Contains("personalize_operator_workqueue_depth", metrics);
    }
}
