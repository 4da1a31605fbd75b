using k8s.Models;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>The chart's environment, read by the operator's own settings code: what values.yaml says is what the pods get.</summary>
public sealed class OperatorSettingsContractTests : IDisposable
{
    private readonly Helm _helm = new();

    [Fact]
    public async Task ChartEnvironment_ReadByTheOperator_GivesGpuJobsTheCudaImageAndGpuScheduling()
    {
        var settings = await SettingsFromChartAsync(
            "--set", "trainer.cpu=3", "--set", "trainer.gpu.nodeSelector.accelerator=h100", "--set", "images.trainerCuda.tag=cu128");

        var gpuJob = settings.Pods.Resolve(new JobResources { Gpus = 1, Memory = "16Gi" });
        var cpuJob = settings.Pods.Resolve(null);

        Assert.Equal("ghcr.io/personalize-operator/trainer-cuda:cu128", settings.Pods.TrainerImage(gpuJob, settings.TrainerImage));
        Assert.Equal("h100", gpuJob.NodeSelector!["accelerator"]);
        Assert.Contains(gpuJob.Tolerations!, t => t.Key == "nvidia.com/gpu" && t.Operator == "Exists");
        Assert.Equal(("3", "16Gi"), (gpuJob.Cpu, gpuJob.Memory));
        Assert.Equal("ghcr.io/personalize-operator/trainer:0.1.0", settings.Pods.TrainerImage(cpuJob, settings.TrainerImage));
        Assert.Equal(("3", "4Gi", 0), (cpuJob.Cpu, cpuJob.Memory, cpuJob.Gpus));
        Assert.Empty(cpuJob.Tolerations ?? []);
    }

    [Fact]
    public async Task ChartEnvironment_ReadByTheOperator_SetsRuntimePodsScalingAndStore()
    {
        var settings = await SettingsFromChartAsync("--set", "runtime.nodeSelector.pool=serving", "--set", "s3.bucket=recs");

        Assert.Equal(new ResourceQuantity("500m"), settings.Pods.Runtime!.Resources!.Requests["cpu"]);
        Assert.Equal(new ResourceQuantity("2Gi"), settings.Pods.Runtime.Resources.Limits["memory"]);
        Assert.Equal("serving", settings.Pods.Runtime.NodeSelector!["pool"]);
        Assert.Equal(300, settings.TpsPerReplica);
        Assert.Equal(("recs", "personalize-operator-s3", true), (settings.Bucket, settings.S3SecretName, settings.LeaderElection));
        Assert.Equal("ghcr.io/personalize-operator/runtime:0.1.0", settings.RuntimeImage);
    }

    [Fact]
    public async Task ChartEnvironment_ReadByTheOperator_ConfinesEachNamespaceToItsPrefixes()
    {
        var byDefault = await SettingsFromChartAsync();
        Assert.Null(byDefault.DataLocations!.Refusal("shop", "personalize", "spec.dataSource.dataLocation", "s3://personalize/shop/uploads/a.csv"));
        Assert.NotNull(byDefault.DataLocations.Refusal("shop", "personalize", "spec.dataSource.dataLocation", "s3://personalize/bank/a.csv"));

        var listed = await SettingsFromChartAsync("--set-json", "tenancy.allowedPrefixes={\"shop\":[\"s3://raw/shop/\"],\"*\":[\"s3://samples\"]}");
        Assert.Null(listed.DataLocations!.Refusal("shop", "personalize", "spec.dataSource.dataLocation", "s3://raw/shop/a.csv"));
        Assert.Null(listed.DataLocations.Refusal("bank", "personalize", "spec.dataSource.dataLocation", "s3://samples/a.csv"));
        Assert.NotNull(listed.DataLocations.Refusal("bank", "personalize", "spec.dataSource.dataLocation", "s3://raw/shop/a.csv"));
    }

    [Fact]
    public async Task ChartEnvironment_ReadByTheOperator_WatchesTheListedNamespaces_OrAll()
    {
        Assert.Empty((await SettingsFromChartAsync()).WatchNamespaces);
        Assert.Equal(["team-a", "team-b"], (await SettingsFromChartAsync("--set", "operator.watchNamespaces={team-a,team-b,team-a}")).WatchNamespaces);
    }

    [Fact]
    public async Task ChartEnvironment_ReadByTheOperator_GivesItsPodsTheLogFormat()
    {
        Assert.Equal("json", (await SettingsFromChartAsync()).PodLogFormat);
        Assert.Equal("simple", (await SettingsFromChartAsync("--set", "logFormat=simple")).PodLogFormat);
    }

    private async Task<OperatorSettings> SettingsFromChartAsync(params string[] values)
    {
        var yaml = await _helm.TemplateAsync([.. Helm.CredentialValues, .. values]);
        var env = Manifests.Single<V1Deployment>(yaml, "personalize-operator").Spec.Template.Spec.Containers[0].Env
            .Where(e => e.Value is not null)
            .ToDictionary(e => e.Name, e => e.Value);
        return OperatorSettings.FromEnvironment(env);
    }

    public void Dispose() => _helm.Dispose();
}
