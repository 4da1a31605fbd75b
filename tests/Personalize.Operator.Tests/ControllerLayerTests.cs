using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Reconcilers;
using Personalize.Operator.Controllers.Seams;
using Personalize.Operator.Controllers.Workloads;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

public sealed class ControllerLayerTests
{
    [Fact]
    public async Task WorkQueue_MergesDuplicateKeys_AndNeverHandsOutAKeyInFlight()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        Assert.Equal(2, queue.Depth);

        var first = await queue.TakeAsync(CancellationToken.None);
        Assert.Equal("a", first);
        queue.Add("a");
        Assert.Equal("b", await queue.TakeAsync(CancellationToken.None));
        Assert.Equal(0, queue.Depth);

        // "a" was re-added while in flight: it comes back only after Done.
        using var none = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.Null(await queue.TakeAsync(none.Token));
        queue.Done("a");
        Assert.Equal("a", await queue.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WorkQueue_BacksOffExponentially_AndForgetResets()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        queue.AddRateLimited("k");
        queue.AddRateLimited("k");
        queue.AddRateLimited("k");
        Assert.Equal(3, queue.Failures("k"));
        Assert.Equal(0, queue.Depth);
        Assert.Equal(
            [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000],
            Enumerable.Range(0, 9).Select(f => queue.BackoffFor(f).TotalMilliseconds));
        await Wait.UntilAsync(() => queue.Depth == 1, TimeSpan.FromSeconds(5), "the first backoff (100 ms) to pass");
        queue.Forget("k");
        Assert.Equal(0, queue.Failures("k"));
    }

    [Fact]
    public async Task WorkQueue_AddAfter_RequeuesLater()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        queue.AddAfter("k", TimeSpan.FromMilliseconds(150));
        Assert.Equal(0, queue.Depth);
        Assert.Equal("k", await queue.TakeAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token));
    }

    [Theory]
    [InlineData(1, 200, 1)]
    [InlineData(450, 200, 3)]
    [InlineData(400, 200, 2)]
    public void MinimumReplicas_AreCeilOfMinProvisionedTpsOverTpsPerReplica(int tps, double perReplica, int expected) =>
        Assert.Equal(expected, CampaignScaler.MinimumReplicas(tps, perReplica));

    [Theory]
    [InlineData(3, 1, 2)]
    [InlineData(3, 3, 1)]
    [InlineData(5, 2, 3)]
    [InlineData(1, 0, 1)]
    public void DisruptionBudget_AlwaysLetsADrainEvictAPod(int replicas, int minimum, int expected) =>
        Assert.Equal(expected, CampaignScaler.MaxUnavailable(replicas, minimum));

    [Theory]
    [InlineData(450, 300, 20, 300)]
    [InlineData(1, 300, 20, 300)]
    [InlineData(100000, 300, 20, 5000)]
    public void PerReplicaRateLimit_IsWhatAReplicaSustains_RaisedWhenMaxReplicasCapsTheFloor(int minTps, double perReplica, int maxReplicas, int expected) =>
        Assert.Equal(expected, CampaignScaler.RequestsPerSecondPerReplica(minTps, perReplica, maxReplicas));

    [Theory]
    [InlineData(900.0, 1, 300, 20, 300)]
    [InlineData(120.0, 1, 300, 20, 120)]
    [InlineData(null, 1, 300, 20, 300)]
    [InlineData(900.0, 100000, 300, 20, 900)]
    public void PlannedPerReplica_IsTheMeasuredCapacity_CappedByTheRateLimit(double? measured, int minTps, double perReplica, int maxReplicas, double expected) =>
        Assert.Equal(expected, CampaignScaler.PlannedPerReplica(measured, minTps, perReplica, maxReplicas));

    [Fact]
    public void Scaler_ScalesUpBeforeAReplicaShedsAtItsRateLimit_EvenWhenItMeasuredMoreCapacity()
    {
        // One replica measured 900/s but is limited to 300/s: 290/s served is near the limit, so a second one comes.
        var planned = CampaignScaler.PlannedPerReplica(900, 1, 300, 20);
        Assert.Equal(2, CampaignScaler.Desired(1, CampaignScaler.MinimumReplicas(1, planned), 20, 290, planned));
    }

    [Fact]
    public void Scaler_ScalesDownOnlyOnceTheLastScaleUpIsAWindowOld()
    {
        var up = DateTimeOffset.UnixEpoch;
        var window = TimeSpan.FromMinutes(5);
        Assert.Equal(3, CampaignScaler.Stabilized(3, 1, up, up + TimeSpan.FromMinutes(1), window));
        Assert.Equal(1, CampaignScaler.Stabilized(3, 1, up, up + TimeSpan.FromMinutes(5), window));
        Assert.Equal(1, CampaignScaler.Stabilized(3, 1, null, up, window));
        Assert.Equal(4, CampaignScaler.Stabilized(3, 4, up, up + TimeSpan.FromSeconds(1), window));
    }

    [Fact]
    public void Scaler_ScalesUpOnLoad_AndBackDownNeverBelowTheMinimum()
    {
        Assert.Equal(2, CampaignScaler.Desired(2, 2, 20, null, 200));
        Assert.Equal(7, CampaignScaler.Desired(2, 2, 20, 1100, 200));
        Assert.Equal(7, CampaignScaler.Desired(7, 2, 20, 700, 200));
        Assert.Equal(2, CampaignScaler.Desired(7, 2, 20, 10, 200));
        Assert.Equal(20, CampaignScaler.Desired(2, 2, 20, 100000, 200));
    }

    [Fact]
    public void SumCounter_AddsEveryLabelSetOfTheCounter()
    {
        const string text = """
            # HELP personalize_runtime_requests_total Requests served.
            # TYPE personalize_runtime_requests_total counter
            personalize_runtime_requests_total{operation="recommendations",status="200"} 120
            personalize_runtime_requests_total{operation="events",status="200"} 30
            personalize_runtime_requests_total_other 99
            """;
        Assert.Equal(150, RuntimeTpsMeter.SumCounter(text, "personalize_runtime_requests_total"));
    }

    [Fact]
    public void ImmutableFields_NameTheChangedField_AndRestoreTheAcceptedValue()
    {
        var spec = new DatasetImportJobSpec { DatasetRef = new ResourceRef { Name = "d" }, DataSource = new DataSource { DataLocation = "s3://bucket/a.csv" } };
        var accepted = ImmutableFields.Snapshot(spec);
        spec.DataSource.DataLocation = "s3://bucket/b.csv";
        spec.Tags = new() { ["team"] = "x" };
        Assert.Equal("spec.dataSource", ImmutableFields.FirstChanged(spec, accepted));
        ImmutableFields.Restore(spec, accepted);
        Assert.Equal("s3://bucket/a.csv", spec.DataSource.DataLocation);
        Assert.Null(ImmutableFields.FirstChanged(spec, accepted));
    }

    [Theory]
    [InlineData(null, 7)]
    [InlineData("rate(1 day)", 1)]
    [InlineData("rate(30 days)", 30)]
    public void TrainingSchedule_ParsesRateExpressions(string? expression, int days) =>
        Assert.Equal(TimeSpan.FromDays(days), TrainingSchedule.Parse(expression).Interval);

    [Fact]
    public void TrainingSchedule_RefusesOtherExpressions_NamingTheField()
    {
        var (interval, problem) = TrainingSchedule.Parse("cron(0 * * * ? *)");
        Assert.Null(interval);
        Assert.StartsWith("solutionConfig.autoTrainingConfig.schedulingExpression", problem);
    }

    [Fact]
    public void SolutionValidation_RequiresARecipe_AndChecksAutoMLCandidates()
    {
        Assert.Contains("spec.recipeArn: required unless performAutoML is true", SolutionController.Validate(new SolutionSpec()).Problems);
        var automl = new SolutionSpec { PerformAutoML = true, SolutionConfig = new SolutionConfig { AutoMLConfig = new AutoMLConfig { RecipeList = ["arn:aws:personalize:::recipe/aws-xgboost"] } } };
        Assert.Contains(SolutionController.Validate(automl).Problems, p => p.StartsWith("solutionConfig.autoMLConfig.recipeList", StringComparison.Ordinal));
        var hpo = new SolutionSpec
        {
            RecipeArn = "arn:aws:personalize:::recipe/aws-hrnn",
            PerformHPO = true,
            SolutionConfig = new SolutionConfig { HpoConfig = new HpoConfig { AlgorithmHyperParameterRanges = new HyperParameterRanges { IntegerHyperParameterRanges = [new IntegerHyperParameterRange { Name = "hidden_dimension", MinValue = 16, MaxValue = 512 }] } } },
        };
        Assert.Contains(SolutionController.Validate(hpo).Problems, p => p.Contains("integerHyperParameterRanges.hidden_dimension", StringComparison.Ordinal));
        var parallel = new SolutionSpec
        {
            RecipeArn = "arn:aws:personalize:::recipe/aws-hrnn",
            PerformHPO = true,
            SolutionConfig = new SolutionConfig { HpoConfig = new HpoConfig { HpoResourceConfig = new HpoResourceConfig { MaxNumberOfTrainingJobs = "8", MaxParallelTrainingJobs = "4" } } },
        };
        Assert.Contains(SolutionController.Validate(parallel).Problems, p => p.StartsWith("solutionConfig.hpoConfig.hpoResourceConfig.maxParallelTrainingJobs", StringComparison.Ordinal));
        parallel.SolutionConfig!.HpoConfig!.HpoResourceConfig!.MaxParallelTrainingJobs = "1";
        Assert.Empty(SolutionController.Validate(parallel).Problems);
    }

    [Fact]
    public void ADatasetChange_WakesTheSolutionVersionsTrainedFromItsGroup()
    {
        static T Named<T>(string name, Action<T> spec)
            where T : IPersonalizeResource, new()
        {
            var resource = new T { Metadata = new() { Name = name, NamespaceProperty = "shop" } };
            spec(resource);
            return resource;
        }

        var references = new ResourceReferences();
        var solution = Named<Solution>("hrnn", s => s.Spec.DatasetGroupRef.Name = "retail");
        var version = Named<SolutionVersion>("hrnn-v1", v => v.Spec.SolutionRef.Name = "hrnn");
        var otherGroupVersion = Named<SolutionVersion>("sims-v1", v => v.Spec.SolutionRef.Name = "sims");
        references.Track(new ResourceEvent(ResourceEventType.Added, solution));
        references.Track(new ResourceEvent(ResourceEventType.Added, version));
        references.Track(new ResourceEvent(ResourceEventType.Added, Named<Solution>("sims", s => s.Spec.DatasetGroupRef.Name = "other")));
        references.Track(new ResourceEvent(ResourceEventType.Added, otherGroupVersion));

        // An import finishing updates its Dataset; the versions waiting for interactions must hear of it at once.
        var dataset = Named<Dataset>("interactions", d =>
        {
            d.Spec.DatasetGroupRef.Name = "retail";
            d.Spec.SchemaRef.Name = "interactions";
            d.Spec.DatasetType = "Interactions";
        });
        var woken = references.Track(new ResourceEvent(ResourceEventType.Modified, dataset));

        Assert.Contains(ResourceKey.Of(version), woken);
        Assert.DoesNotContain(ResourceKey.Of(otherGroupVersion), woken);
    }
}
