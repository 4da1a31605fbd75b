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
}
