using k8s.Models;
using Personalize.Api;
using Personalize.Jobs;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>The BatchInferenceJob controller's lifecycle: pending on its version, a trainer Job, ACTIVE with its outputs or CREATE FAILED with the reason.</summary>
[Collection(OperatorCollection.Name)]
public sealed class BatchInferenceJobTests(OperatorEnvironment env)
{
    [Fact]
    public async Task BatchJob_WaitsForItsVersion_RunsTheBatchVerb_AndIsActiveWithItsOutputs_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "batch");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);

        // Created before its SolutionVersion exists: CREATE PENDING, naming what it waits for, and no Job.
        await cluster.CreateAsync(Batch(ns, "nightly"));
        var pending = await cluster.WaitForAsync<BatchInferenceJob>("nightly", b => b.Status.Conditions.Any(c => c.Reason == "WaitingForSolutionVersion"), "waiting for its version");
        Assert.Equal(Phases.CreatePending, pending.Status.Phase);
        Assert.Contains("hrnn-v1", pending.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);
        Assert.DoesNotContain(await cluster.JobsAsync(), IsBatchJob);

        var version = await cluster.TrainedVersionAsync();
        var job = await cluster.WaitForJobAsync(IsBatchJob);
        var spec = await cluster.JobSpecOfAsync(job);
        Assert.Equal(JobVerbs.BatchInfer, spec.Verb);
        Assert.Equal(version.Status.ModelLocation, spec.BatchInference!.ModelUri);
        Assert.Equal("s3://input-bucket/batch/users.jsonl", spec.BatchInference.InputPath);
        Assert.Equal("s3://input-bucket/batch/out/", spec.BatchInference.OutputPath);
        Assert.Equal(10, spec.BatchInference.NumResults);

        await cluster.MarkJobRunningAsync_AsFakeKubelet(job.Metadata.Name);
        var running = await cluster.WaitForPhaseAsync<BatchInferenceJob>("nightly", Phases.CreateInProgress);
        Assert.Equal(job.Metadata.Name, running.Status.JobName);

        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.Succeeded(r => r.BatchInference = new BatchInferenceJobResult { LinesRead = 3, LinesFailed = 1, Outputs = ["s3://input-bucket/batch/out/users.jsonl.out"] }));
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        var done = await cluster.WaitForPhaseAsync<BatchInferenceJob>("nightly", Phases.Active);
        Assert.Equal(3, done.Status.LinesRead);
        Assert.Equal(1, done.Status.LinesFailed);
        Assert.Equal(new[] { "s3://input-bucket/batch/out/users.jsonl.out" }, done.Status.Outputs!);
        Assert.Contains(done.Status.Conditions, c => c.Type == ConditionTypes.Succeeded && c.Status == ConditionStatus.True);
        Assert.NotNull(done.Status.CompletionTime);
    }

    [Fact]
    public async Task BatchJob_WhoseTrainerFails_IsCreateFailed_WithTheTrainersReason_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "batchfail");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(Batch(ns, "broken"));

        var job = await cluster.WaitForJobAsync(IsBatchJob);
        const string Reason = "jobInput.s3DataSource.path: s3://input-bucket/batch/users.jsonl does not exist";
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.Succeeded(r => (r.Status, r.FailureReason) = (JobResult.Failed, Reason)));
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: false);

        var failed = await cluster.WaitForPhaseAsync<BatchInferenceJob>("broken", Phases.CreateFailed);
        Assert.Equal(Reason, failed.Status.FailureReason);
        var ready = failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal((ConditionStatus.False, "JobFailed", Reason), (ready.Status, ready.Reason, ready.Message));
        Assert.Contains(failed.Status.Conditions, c => c.Type == ConditionTypes.Succeeded && c.Status == ConditionStatus.False);
    }

    internal static bool IsBatchJob(V1Job job) => job.Metadata.OwnerReferences?.Any(o => o.Kind == "BatchInferenceJob") == true;

    internal static BatchInferenceJob Batch(string ns, string name) => new()
    {
        Metadata = Samples.Meta(ns, name),
        Spec = new Api.BatchInferenceJobSpec
        {
            SolutionVersionRef = new ResourceRef { Name = "hrnn-v1" },
            JobInput = new BatchInferenceJobInput { S3DataSource = new S3DataConfig { Path = "s3://input-bucket/batch/users.jsonl" } },
            JobOutput = new BatchInferenceJobOutput { S3DataDestination = new S3DataConfig { Path = "s3://input-bucket/batch/out/" } },
            NumResults = 10,
        },
    };
}
