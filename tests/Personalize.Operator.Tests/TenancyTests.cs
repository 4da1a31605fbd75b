using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Xunit;

namespace Personalize.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class TenancyTests(OperatorEnvironment env)
{
    [Fact]
    public async Task JobLocationsOutsideTheNamespacesPrefixes_AreCreateFailedNamingTheRule_AndStartNoJob_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "tenant");
        var ns = cluster.Namespace;
        var policy = new DataLocationPolicy(new Dictionary<string, string[]> { [ns] = ["s3://input-bucket/team-a/"], ["other-team"] = ["s3://input-bucket/"] });
        await using var op = await RunningOperator.StartAsync(env, ns, s => s with { DataLocations = policy });
        await cluster.CreateInteractionsDatasetAsync();

        // Another tenant's data, and a climb out of the allowed prefix: refused before any Job runs.
        await cluster.CreateAsync(Samples.Import(ns, "elsewhere"));
        await cluster.CreateAsync(WithLocation(Samples.Import(ns, "climbing"), "s3://input-bucket/team-a/../team-b/interactions.csv"));
        foreach (var name in new[] { "elsewhere", "climbing" })
        {
            var failed = await cluster.WaitForPhaseAsync<DatasetImportJob>(name, Phases.CreateFailed);
            Assert.StartsWith("spec.dataSource.dataLocation: s3://input-bucket/", failed.Status.FailureReason);
            Assert.Contains($"outside the locations namespace {ns} may use (s3://{env.Bucket}/{ns}/, s3://input-bucket/team-a/)", failed.Status.FailureReason);
            Assert.Contains("tenancy.allowedPrefixes", failed.Status.FailureReason);
            Assert.Equal("LocationNotAllowed", failed.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason);
        }

        Assert.Empty(await cluster.JobsAsync());

        // Inside the listed prefix, and inside the namespace's own prefix: the imports run.
        await cluster.CreateAsync(WithLocation(Samples.Import(ns, "listed"), "s3://input-bucket/team-a/interactions.csv"));
        await cluster.CreateAsync(WithLocation(Samples.Import(ns, "own"), $"s3://{env.Bucket}/{ns}/uploads/interactions.csv"));
        // Imports into one dataset run one at a time: the second starts once the first is done.
        var listed = await cluster.WaitForPhaseAsync<DatasetImportJob>("listed", Phases.CreateInProgress);
        var listedJob = await cluster.WaitForJobAsync(j => j.Metadata.Name == listed.Status.JobName);
        await cluster.WriteResultAsync_AsFakeTrainer(listedJob, TestCluster.ImportSucceeded(10));
        await cluster.FinishJobAsync_AsFakeKubelet(listedJob.Metadata.Name, succeeded: true);
        await cluster.WaitForPhaseAsync<DatasetImportJob>("own", Phases.CreateInProgress);
    }

    [Fact]
    public async Task BatchInferenceWritingOutsideTheNamespacesPrefixes_IsCreateFailedNamingTheField_WithFakeKubeletAndTrainer()
    {
        using var cluster = await TestCluster.CreateAsync(env, "tenant");
        var ns = cluster.Namespace;
        var policy = new DataLocationPolicy(new Dictionary<string, string[]> { ["*"] = ["s3://input-bucket/"] });
        await using var op = await RunningOperator.StartAsync(env, ns, s => s with { DataLocations = policy });
        await cluster.TrainedVersionAsync();
        await cluster.CreateAsync(new BatchInferenceJob
        {
            Metadata = Samples.Meta(ns, "batch"),
            Spec = new BatchInferenceJobSpec
            {
                SolutionVersionRef = new ResourceRef { Name = "hrnn-v1" },
                JobInput = new BatchInferenceJobInput { S3DataSource = new S3DataConfig { Path = "s3://input-bucket/users.json" } },
                JobOutput = new BatchInferenceJobOutput { S3DataDestination = new S3DataConfig { Path = "s3://someone-elses-bucket/out/" } },
            },
        });

        var failed = await cluster.WaitForPhaseAsync<BatchInferenceJob>("batch", Phases.CreateFailed);
        Assert.StartsWith("spec.jobOutput.s3DataDestination.path: s3://someone-elses-bucket/out/ is outside", failed.Status.FailureReason);
        Assert.DoesNotContain(await cluster.JobsAsync(), j => j.Metadata.Name.StartsWith("batch-", StringComparison.Ordinal));
    }

    private static DatasetImportJob WithLocation(DatasetImportJob import, string location)
    {
        import.Spec.DataSource.DataLocation = location;
        return import;
    }
}
