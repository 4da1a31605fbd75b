using Personalize.Api;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>Imports into one dataset run one at a time, so no import replaces or deletes another's committed data.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ImportSerializationTests(OperatorEnvironment env)
{
    [Fact]
    public async Task ASecondImportIntoTheSameDataset_WaitsSayingWhy_AndStartsWhenTheFirstFinishes()
    {
        using var cluster = await TestCluster.CreateAsync(env, "imports");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Import(ns, "import-1"));
        var first = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-import-1-", StringComparison.Ordinal));

        await cluster.CreateAsync(Samples.Import(ns, "import-2"));
        var waiting = await cluster.WaitForAsync<DatasetImportJob>("import-2",
            i => i.Status.Conditions.Any(c => c.Type == ConditionTypes.Ready && c.Reason == "WaitingForImport"), "import-2 to wait for import-1");
        Assert.Equal(Phases.CreatePending, waiting.Status.Phase);
        Assert.Contains("import-1", waiting.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("import-import-2-", StringComparison.Ordinal));

        await cluster.WriteResultAsync_AsFakeTrainer(first, TestCluster.ImportSucceeded());
        await cluster.FinishJobAsync_AsFakeKubelet(first.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<DatasetImportJob>("import-1", Phases.Active);
        var second = await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-import-2-", StringComparison.Ordinal));
        await cluster.WriteResultAsync_AsFakeTrainer(second, TestCluster.ImportSucceeded(rows: 7));
        await cluster.FinishJobAsync_AsFakeKubelet(second.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<DatasetImportJob>("import-2", Phases.Active);
    }

    [Fact]
    public async Task ImportsIntoDifferentDatasets_RunAtOnce()
    {
        using var cluster = await TestCluster.CreateAsync(env, "imports-apart");
        var ns = cluster.Namespace;
        await using var op = await RunningOperator.StartAsync(env, ns);
        await cluster.CreateInteractionsDatasetAsync();
        await cluster.CreateAsync(Samples.Group(ns, "retail-b"));
        await cluster.CreateAsync(Samples.Dataset(ns, "interactions-b", group: "retail-b"));
        await cluster.CreateAsync(Samples.Import(ns, "import-a"));
        await cluster.CreateAsync(Samples.Import(ns, "import-b", dataset: "interactions-b"));

        await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-import-a-", StringComparison.Ordinal));
        await cluster.WaitForJobAsync(j => j.Metadata.Name.StartsWith("import-import-b-", StringComparison.Ordinal));
    }
}
