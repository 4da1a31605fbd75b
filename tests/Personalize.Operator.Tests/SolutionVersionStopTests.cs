using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>StopSolutionVersionCreation as a spec field: the operator ends the training and never starts it again.</summary>
[Collection(OperatorCollection.Name)]
public sealed class SolutionVersionStopTests(OperatorEnvironment env)
{
    [Fact]
    public async Task StoppingATrainingVersion_RemovesItsJob_EndsCreateStopped_AndNeverRestartsIt_WithFakeKubelet()
    {
        using var cluster = await TestCluster.CreateAsync(env, "stop");
        await using var op = await RunningOperator.StartAsync(env, cluster.Namespace);
        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(Samples.Version(cluster.Namespace, "hrnn-v2"));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-hrnn-v2-", StringComparison.Ordinal));
        await cluster.MarkJobRunningAsync_AsFakeKubelet(job.Metadata.Name);
        await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v2", Phases.CreateInProgress);

        await cluster.PatchSpecAsync<SolutionVersion>("hrnn-v2", """{"spec":{"stop":true}}""");

        var stopped = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v2", Phases.CreateStopped);
        Assert.Contains(stopped.Status.Conditions, c => c.Type == ConditionTypes.Succeeded && c.Status == ConditionStatus.False && c.Reason == "Stopped");
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name == job.Metadata.Name && j.Metadata.DeletionTimestamp is null);

        // Taking the stop back does not resume it (Personalize never does), and the finished version is untouched.
        await cluster.PatchSpecAsync<SolutionVersion>("hrnn-v2", """{"spec":{"stop":false}}""");
        await cluster.WaitForAsync<SolutionVersion>("hrnn-v2", v => v.Status.ObservedGeneration == v.Metadata.Generation, "the stop taken back to be observed");
        Assert.Equal(Phases.CreateStopped, (await cluster.GetAsync<SolutionVersion>("hrnn-v2")).Status.Phase);
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("train-hrnn-v2-", StringComparison.Ordinal) && j.Metadata.DeletionTimestamp is null);
        Assert.Equal(Phases.Active, (await cluster.GetAsync<SolutionVersion>("hrnn-v1")).Status.Phase);
    }

    [Fact]
    public async Task StopOnAFinishedVersion_ChangesNothing_WithFakeKubelet()
    {
        using var cluster = await TestCluster.CreateAsync(env, "stopdone");
        await using var op = await RunningOperator.StartAsync(env, cluster.Namespace);
        await cluster.TrainedVersionAsync();

        await cluster.PatchSpecAsync<SolutionVersion>("hrnn-v1", """{"spec":{"stop":true}}""");

        var version = await cluster.WaitForAsync<SolutionVersion>("hrnn-v1", v => v.Status.ObservedGeneration == v.Metadata.Generation, "the stop to be observed");
        Assert.Equal(Phases.Active, version.Status.Phase);
        Assert.NotNull(version.Status.ModelLocation);
    }
}
