using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>The pods the operator creates log in the format the chart's logFormat sets (PERSONALIZE_POD_LOG_FORMAT).</summary>
[Collection(OperatorCollection.Name)]
public sealed class PodLogFormatTests(OperatorEnvironment env)
{
    [Fact]
    public async Task ImportTrainingBatchAndRuntimePods_GetTheConfiguredLogFormat_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "logformat");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns, s => s with { PodLogFormat = "json" });

        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(BatchInferenceJobTests.Batch(ns, "nightly"));
        await cluster.CreateAsync(Samples.Campaign(ns, minTps: 1));
        await cluster.WaitForJobAsync(BatchInferenceJobTests.IsBatchJob);
        var runtime = await cluster.WaitForDeploymentAsync("app.kubernetes.io/component=runtime");

        var jobs = await cluster.JobsAsync();
        Assert.Equal(["batch", "import", "train"], jobs.Select(j => BatchInferenceJobTests.IsBatchJob(j) ? "batch" : j.Metadata.Name.Split('-')[0]).Order());
        foreach (var template in jobs.Select(j => j.Spec.Template).Append(runtime.Spec.Template))
        {
            Assert.Contains(template.Spec.Containers.Single().Env, e => e.Name == "Logging__Console__FormatterName" && e.Value == "json");
        }
    }
}
