using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class TrainingSnapshotTests(OperatorEnvironment env)
{
    [Fact]
    public async Task TrainingWaitsForRunningImportsOfItsGroup_ThenStartsAtOnce_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "snapshot");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns, "import-1"));
        await cluster.CreateAsync(Samples.Import(ns, "import-2"));
        await cluster.CreateAsync(Samples.Solution(ns));
        await cluster.CreateAsync(Samples.Version(ns));

        var first = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-import-1", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(first, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(first.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.Active);

        // One interactions import is in, but another is still running: the version waits, naming it.
        var waiting = await cluster.WaitForAsync<SolutionVersion>(
            "hrnn-v1", v => v.Status.Conditions.Any(c => c.Type == ConditionTypes.Ready && c.Reason == "WaitingForImports"), "WaitingForImports");
        Assert.Contains("import-2", waiting.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message);
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));

        var second = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-import-2", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(second, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(second.Metadata.Name, succeeded: true);

        // The finished import wakes the version through its dataset, well before any poll timer would.
        await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NextVersion_IsToldTheEarlierVersionsAndWhereItsReportGoes_AndStatusPointsAtTheReport_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "report");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.TrainedVersionAsync("hrnn-v1");

        await cluster.CreateAsync(Samples.Version(ns, "hrnn-v2"));
        var job = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("train-hrnn-v2", StringComparison.Ordinal));
        var spec = (await cluster.JobSpecOfAsync(job)).Train!;
        var result = TestCluster.TrainSucceeded(spec.ModelUri);
        result.Train!.ReportUri = spec.ReportUri;
        await cluster.WriteResultAsync_AsFakeTrainer(job, result);
        await cluster.FinishJobAsync_AsFakeKubelet(job.Metadata.Name, succeeded: true);
        var trained = await cluster.WaitForPhaseAsync<SolutionVersion>("hrnn-v2", Phases.Active);

        var previous = Assert.Single(spec.PreviousVersions);
        Assert.Equal("hrnn-v1", previous.Name);
        Assert.Equal(0.31, previous.Metrics["normalized_discounted_cumulative_gain_at_10"]);
        Assert.EndsWith($"/{ns}/retail/solutions/hrnn/hrnn-v2/report.html", spec.ReportUri, StringComparison.Ordinal);
        Assert.Equal(spec.ReportUri, trained.Status.ReportUri);
    }
}
