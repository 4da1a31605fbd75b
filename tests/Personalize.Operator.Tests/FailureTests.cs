using Personalize.Api;
using Personalize.Jobs;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class FailureTests(OperatorEnvironment env)
{
    [Fact]
    public async Task FailedImportJob_BecomesCreateFailed_WithTheTrainersReason_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "fail");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));

        var job = await cluster.WaitForJobAsync();
        var reason = "row 3: TIMESTAMP \"yesterday\" is not a long (more than 10% of rows rejected)";
        await cluster.WriteResultAsync_AsFakeTrainer(job, new JobResult { Status = JobResult.Failed, FailureReason = reason, StartedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow });
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: false);

        var failed = await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.CreateFailed);
        Assert.Equal(reason, failed.Status.FailureReason);
        Assert.Contains(failed.Status.Conditions, c => c.Type == ConditionTypes.Succeeded && c.Status == ConditionStatus.False && c.Message == reason);
        Assert.Single(await cluster.JobsAsync());
    }

    [Fact]
    public async Task FailureReasonLargerThanAStatusMayBe_IsBounded_AndTheImportStillFails_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "huge");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));

        // A CSV header of a million columns, echoed in the trainer's reason: 2 MB, over etcd's 1.5 MiB request limit.
        var header = string.Join(",", Enumerable.Range(0, 300_000).Select(i => $"C{i}"));
        var reason = $"the CSV header must name USER_ID, ITEM_ID and TIMESTAMP; it is: {header}";
        Assert.True(reason.Length > 1_500_000);
        var job = await cluster.WaitForJobAsync();
        await cluster.WriteResultAsync_AsFakeTrainer(job, new JobResult { Status = JobResult.Failed, FailureReason = reason, StartedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow });
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: false);

        var failed = await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.CreateFailed);
        Assert.StartsWith("the CSV header must name USER_ID, ITEM_ID and TIMESTAMP; it is: C0,C1,", failed.Status.FailureReason);
        Assert.True(failed.Status.FailureReason!.Length <= 4096, $"{failed.Status.FailureReason.Length} characters");
        Assert.EndsWith("more characters not shown)", failed.Status.FailureReason);
        Assert.All(failed.Status.Conditions, c => Assert.True(c.Message.Length <= 4096));
    }

    [Fact]
    public async Task FailedJobWithoutResult_ReportsTheJobCondition_WithFakeKubelet()
    {
        using var cluster = await TestCluster.CreateAsync(env, "fail");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));

        var job = await cluster.WaitForJobAsync();
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: false, message: "Job was active longer than specified deadline");
        var failed = await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.CreateFailed);
        Assert.Contains("Job was active longer than specified deadline", failed.Status.FailureReason);
    }

    [Fact]
    public async Task BadSchema_IsCreateFailed_NamingTheField()
    {
        using var cluster = await TestCluster.CreateAsync(env, "fail");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Schema(ns, "broken", """{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"}]}"""));

        var failed = await cluster.WaitForPhaseAsync<Schema>("broken", Phases.CreateFailed);
        Assert.Contains("TIMESTAMP", failed.Status.FailureReason);
        Assert.Contains("spec.schema", failed.Status.FailureReason);
    }

    [Fact]
    public async Task BadFilterExpression_IsCreateFailed_WithThePosition()
    {
        using var cluster = await TestCluster.CreateAsync(env, "fail");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Filter(ns, expression: "EXCLUDE ItemID WHERE Items.GENRE IN"));

        var failed = await cluster.WaitForPhaseAsync<Filter>("no-purchased", Phases.CreateFailed);
        Assert.StartsWith("spec.filterExpression: at position", failed.Status.FailureReason);
    }

    [Fact]
    public async Task MissingParent_WaitsWithACondition_ThenProceedsWhenItAppears()
    {
        using var cluster = await TestCluster.CreateAsync(env, "wait");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Dataset(ns));

        var waiting = await cluster.WaitForAsync<Dataset>("interactions", d => d.Status.Conditions.Any(c => c.Reason == "WaitingForDatasetGroup"), "a waiting condition");
        Assert.Equal(Phases.CreatePending, waiting.Status.Phase);
        Assert.Contains("DatasetGroup retail (spec.datasetGroupRef) does not exist", waiting.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);

        await cluster.CreateAsync(Samples.Group(ns));
        await cluster.CreateAsync(Samples.Schema(ns));
        var active = await cluster.WaitForPhaseAsync<Dataset>("interactions", Phases.Active);
        Assert.Contains(active.Status.Conditions, c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True);
    }

    [Fact]
    public async Task ImmutableEdit_IsRefusedWithATerminalCondition_AndTheRunningJobIsUndisturbed_WithFakeKubelet()
    {
        using var cluster = await TestCluster.CreateAsync(env, "immut");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns));
        var job = await cluster.WaitForJobAsync();
        await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.CreateInProgress);

        await cluster.PatchSpecAsync<DatasetImportJob>("import-1", """{"spec":{"dataSource":{"dataLocation":"s3://input-bucket/other.csv"}}}""");
        var refused = await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.Any(c => c.Type == ConditionTypes.Terminal && c.Status == ConditionStatus.True), "a Terminal condition");
        var terminal = refused.Status.Conditions.Single(c => c.Type == ConditionTypes.Terminal);
        Assert.Equal("ImmutableFieldChanged", terminal.Reason);
        Assert.StartsWith("spec.dataSource cannot change after the DatasetImportJob was created", terminal.Message);
        Assert.Equal(Phases.CreateInProgress, refused.Status.Phase);
        var jobs = await cluster.JobsAsync();
        Assert.Equal(job.Metadata.Uid, Assert.Single(jobs).Metadata.Uid);
        Assert.Equal("s3://input-bucket/interactions.csv", (await cluster.JobSpecOfAsync(job)).Import!.DataLocation);

        // The job still completes with the accepted spec; reverting clears the refusal.
        await cluster.WriteResultAsync_AsFakeTrainer(job, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.Active);
        await cluster.PatchSpecAsync<DatasetImportJob>("import-1", """{"spec":{"dataSource":{"dataLocation":"s3://input-bucket/interactions.csv"}}}""");
        await cluster.WaitForAsync<DatasetImportJob>("import-1", i => i.Status.Conditions.All(c => c.Type != ConditionTypes.Terminal), "the Terminal condition to clear");
    }

    [Fact]
    public async Task ImmutableSchemaEdit_KeepsTheSchemaActive_WithATerminalConditionNamingTheField()
    {
        using var cluster = await TestCluster.CreateAsync(env, "immut");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateAsync(Samples.Schema(ns));
        await cluster.WaitForPhaseAsync<Schema>("interactions", Phases.Active);

        await cluster.PatchSpecAsync<Schema>("interactions", """{"spec":{"schema":"{\"type\":\"record\",\"name\":\"Items\",\"fields\":[{\"name\":\"ITEM_ID\",\"type\":\"string\"}]}"}}""");
        var refused = await cluster.WaitForAsync<Schema>("interactions", s => s.Status.Conditions.Any(c => c.Type == ConditionTypes.Terminal), "a Terminal condition");
        var terminal = refused.Status.Conditions.Single(c => c.Type == ConditionTypes.Terminal);
        Assert.Equal((ConditionStatus.True, "ImmutableFieldChanged"), (terminal.Status, terminal.Reason));
        Assert.StartsWith("spec.schema cannot change", terminal.Message);
        Assert.Equal(Phases.Active, refused.Status.Phase);
        Assert.Equal("Interactions", refused.Status.RecordName);
    }
}
