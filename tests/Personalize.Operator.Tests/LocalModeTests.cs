using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

public sealed class LocalModeTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-local-");

    [Fact]
    public async Task ManifestFolder_ReachesAnActiveCampaign_WithChildrenInThePodLogFormat_AndARerunResumesWithoutRetraining_WithFakeTrainerAndRuntime()
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_root.FullName, "manifests")).FullName;
        var state = Path.Combine(_root.FullName, "state");
        var store = Path.Combine(_root.FullName, "store");
        await File.WriteAllTextAsync(Path.Combine(manifests, "quickstart.yaml"), Manifests);
        var fakes = Path.Combine(AppContext.BaseDirectory, "Fakes");
        var commands = new LocalCommands([InfraPaths.Node, Path.Combine(fakes, "fake-trainer.js")], [InfraPaths.Node, Path.Combine(fakes, "fake-runtime.js")], null, null);
        var settings = new OperatorSettings { Bucket = "personalize", PollInterval = TimeSpan.FromMilliseconds(500), PodLogFormat = "json" };
        var progress = new StringWriter();

        string endpoint;
        await using (var first = await LocalOperatorUnderTest.StartAsync(manifests, state, store, settings, commands, progress, NullLoggerFactory.Instance))
        {
            using var stop = new CancellationTokenSource();
            var run = first.RunAsync(stop.Token);
            try
            {
                await Wait.UntilAsync(() => first.Store.Get<Campaign>("default", "shop")?.Status.Phase == Phases.Active || run.IsFaulted, TimeSpan.FromSeconds(60), "the campaign to be ACTIVE");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message}\n{progress}\n{string.Join("\n", ApiStatuses(first))}", ex);
            }

            if (run.IsFaulted)
            {
                await run;
            }

            endpoint = first.Store.Get<Campaign>("default", "shop")!.Status.Endpoint!;
            using var http = new HttpClient();
            Assert.Equal("ok", await http.GetStringAsync(endpoint + "/readyz"));
            Assert.Equal("json", await http.GetStringAsync(endpoint + "/log-format"));
            await stop.CancelAsync();
            await run;
        }

        Assert.Equal(["import", "train"], (await File.ReadAllLinesAsync(Path.Combine(store, "runs.log"))).Select(l => l.Split(' ')[0]));
        Assert.All(await File.ReadAllLinesAsync(Path.Combine(store, "runs.log")), run => Assert.EndsWith(" log-format=json", run, StringComparison.Ordinal));
        Assert.Contains("SolutionVersion/v1: Active", progress.ToString());

        // The rerun finds the state folder: the version is ACTIVE already, nothing is trained again.
        await using var second = await LocalOperatorUnderTest.StartAsync(manifests, state, store, settings, commands, progress, NullLoggerFactory.Instance);
        using var stop2 = new CancellationTokenSource();
        var run2 = second.RunAsync(stop2.Token);
        await Wait.UntilAsync(() => second.Store.Get<Campaign>("default", "shop")?.Status.Phase == Phases.Active && second.Store.Get<Campaign>("default", "shop")?.Status.ReadyReplicas == 1, TimeSpan.FromSeconds(60), "the campaign to serve again");
        Assert.Equal(Phases.Active, second.Store.Get<SolutionVersion>("default", "v1")!.Status.Phase);
        Assert.Equal(endpoint, second.Store.Get<Campaign>("default", "shop")!.Status.Endpoint);
        Assert.Equal(2, (await File.ReadAllLinesAsync(Path.Combine(store, "runs.log"))).Length);
        await stop2.CancelAsync();
        await run2;
    }

    [Fact]
    public async Task CampaignUpdate_RollsOntoANewRuntime_BehindTheSameUrl_WithFakeTrainerAndRuntime()
    {
        await using var local = await StartWithFakesAsync(Manifests);
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);
        await Wait.UntilAsync(() => local.Store.Get<Campaign>("default", "shop")?.Status.ReadyReplicas == 1 || run.IsFaulted, TimeSpan.FromSeconds(60), "the campaign to serve");
        var endpoint = local.Store.Get<Campaign>("default", "shop")!.Status.Endpoint!;
        using var http = new HttpClient();
        var first = await http.GetStringAsync(endpoint + "/port");
        Assert.NotEqual(new Uri(endpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), first);

        // A config change starts a new runtime process on a new port: the campaign's URL stays, and reaches the new one.
        await File.WriteAllTextAsync(ManifestFile, Manifests.Replace("minProvisionedTPS: 1}", "minProvisionedTPS: 1, campaignConfig: {scoringMethod: exact}}", StringComparison.Ordinal));
        await local.Store.ApplyManifestsAsync(CancellationToken.None);
        await Wait.UntilAsync(async _ => await http.GetStringAsync(endpoint + "/port") != first, TimeSpan.FromSeconds(60), "the updated runtime to answer on the campaign's URL");
        await Wait.UntilAsync(() => local.Store.Get<Campaign>("default", "shop")?.Status.LatestCampaignUpdate?.Phase == Phases.Active, TimeSpan.FromSeconds(60), "the update to complete");
        Assert.Equal(endpoint, local.Store.Get<Campaign>("default", "shop")!.Status.Endpoint);
        Assert.Equal("ok", await http.GetStringAsync(endpoint + "/readyz"));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Metrics_HaveEveryOperatorSeriesTheDashboardAndAlertsQuery_AndEachCampaignsTpsAndReplicas_WithFakeTrainerAndRuntime()
    {
        await using var local = await StartWithFakesAsync(Manifests.Replace("minProvisionedTPS: 1", "minProvisionedTPS: 5", StringComparison.Ordinal));
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);
        await Wait.UntilAsync(() => local.Store.Get<Campaign>("default", "shop")?.Status.ReadyReplicas == 1 || run.IsFaulted, TimeSpan.FromSeconds(60), "the campaign to serve");
        var url = local.Url;
        using var http = new HttpClient();

        // The gauges follow the cache at each scrape: scrape until the campaign's replicas show (a loaded machine may
        // scrape between the runtime's readiness and the status that records it).
        var metrics = string.Empty;
        const string ready = "personalize_operator_campaign_replicas{namespace=\"default\",campaign=\"shop\",state=\"ready\"} 1";
        const string desired = "personalize_operator_campaign_replicas{namespace=\"default\",campaign=\"shop\",state=\"desired\"} 1";
        try
        {
            await Wait.UntilAsync(
                async _ => (metrics = await http.GetStringAsync($"{url}/metrics")).Contains(ready, StringComparison.Ordinal) && metrics.Contains(desired, StringComparison.Ordinal),
                TimeSpan.FromSeconds(90),
                "the campaign's ready and desired replicas in /metrics");
        }
        catch (TimeoutException ex)
        {
            var status = local.Store.Get<Campaign>("default", "shop")?.Status;
            throw new TimeoutException(
                $"{ex.Message}\nstatus: ready {status?.ReadyReplicas}, desired {status?.DesiredReplicas}, observed {status?.ObservedTPS} TPS\n"
                + string.Join("\n", metrics.Split('\n').Where(l => l.StartsWith("personalize_operator_campaign_", StringComparison.Ordinal))),
                ex);
        }
        await stop.CancelAsync();
        await run;

        var exposed = MonitoringQueries.ExposedNames(metrics);
        var queried = MonitoringQueries.DashboardExpressions().Concat(MonitoringQueries.AlertExpressions())
            .SelectMany(MonitoringQueries.MetricNames).Where(n => n.StartsWith("personalize_operator_", StringComparison.Ordinal)).ToHashSet();
        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.True(exposed.Contains(name), $"the dashboard or alerts query {name}, which the operator does not export:\n{metrics}"));
        Assert.Contains("personalize_operator_campaign_provisioned_tps{namespace=\"default\",campaign=\"shop\"} 5", metrics, StringComparison.Ordinal);
    }

    private string ManifestFile => Path.Combine(_root.FullName, "manifests", "quickstart.yaml");

    /// <summary>Local mode over <paramref name="manifests"/> (written to <see cref="ManifestFile"/>), with the fake trainer and runtime.</summary>
    private async Task<LocalOperatorUnderTest> StartWithFakesAsync(string manifests)
    {
        var folder = Directory.CreateDirectory(Path.GetDirectoryName(ManifestFile)!).FullName;
        await File.WriteAllTextAsync(ManifestFile, manifests);
        var fakes = Path.Combine(AppContext.BaseDirectory, "Fakes");
        var commands = new LocalCommands([InfraPaths.Node, Path.Combine(fakes, "fake-trainer.js")], [InfraPaths.Node, Path.Combine(fakes, "fake-runtime.js")], null, null);
        var settings = new OperatorSettings { Bucket = "personalize", PollInterval = TimeSpan.FromMilliseconds(500) };
        return await LocalOperatorUnderTest.StartAsync(folder, Path.Combine(_root.FullName, "state"), Path.Combine(_root.FullName, "store"), settings, commands, new StringWriter(), NullLoggerFactory.Instance);
    }

    private static IEnumerable<string> ApiStatuses(LocalOperatorUnderTest op) =>
        new IPersonalizeResource?[]
        {
            op.Store.Get<DatasetGroup>("default", "retail"), op.Store.Get<Schema>("default", "interactions"), op.Store.Get<Dataset>("default", "interactions"),
            op.Store.Get<DatasetImportJob>("default", "import"), op.Store.Get<Solution>("default", "hrnn"), op.Store.Get<SolutionVersion>("default", "v1"), op.Store.Get<Campaign>("default", "shop"),
        }.Select(r => r is null ? "missing" : $"{r.Kind}/{r.Metadata.Name}: {r.CommonStatus.Phase} {string.Join("; ", r.CommonStatus.Conditions.Select(c => c.Message))}");

    public void Dispose() => _root.Delete(recursive: true);

    internal const string Manifests = """
        apiVersion: personalize.io/v1alpha1
        kind: DatasetGroup
        metadata: {name: retail}
        spec: {}
        ---
        apiVersion: personalize.io/v1alpha1
        kind: Schema
        metadata: {name: interactions}
        spec:
          schema: '{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}]}'
        ---
        apiVersion: personalize.io/v1alpha1
        kind: Dataset
        metadata: {name: interactions}
        spec: {datasetGroupRef: {name: retail}, schemaRef: {name: interactions}, datasetType: Interactions}
        ---
        apiVersion: personalize.io/v1alpha1
        kind: DatasetImportJob
        metadata: {name: import}
        spec: {datasetRef: {name: interactions}, dataSource: {dataLocation: "s3://personalize-input/interactions.csv"}}
        ---
        apiVersion: personalize.io/v1alpha1
        kind: Solution
        metadata: {name: hrnn}
        spec: {datasetGroupRef: {name: retail}, recipeArn: "arn:aws:personalize:::recipe/aws-hrnn"}
        ---
        apiVersion: personalize.io/v1alpha1
        kind: SolutionVersion
        metadata: {name: v1}
        spec: {solutionRef: {name: hrnn}}
        ---
        apiVersion: personalize.io/v1alpha1
        kind: Campaign
        metadata: {name: shop}
        spec: {solutionVersionRef: {name: v1}, minProvisionedTPS: 1}
        """;
}
