using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests.BadInput;

/// <summary>
/// An unsupported setting added to resources that are already ACTIVE (a dataset group's kmsKeyArn, an import's
/// publishAttributionMetricsToS3) is refused naming the field, and what was accepted carries on: the group and the
/// imported data stay ACTIVE, and no new run starts.
/// </summary>
public sealed class UnsupportedSettingEditTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-unsupported-edit-");

    [Fact]
    public async Task AddingKmsKeyArnOrPublishAttributionMetrics_ToActiveResources_IsRefusedNamingTheField_AndTheyStayActive()
    {
        const string Manifests = """
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
            """;
        var manifests = Directory.CreateDirectory(Path.Combine(_root.FullName, "manifests")).FullName;
        var manifestFile = Path.Combine(manifests, "all.yaml");
        var store = Path.Combine(_root.FullName, "store");
        await File.WriteAllTextAsync(manifestFile, Manifests);
        var fakes = Path.Combine(AppContext.BaseDirectory, "Fakes");
        var commands = new LocalCommands([InfraPaths.Node, Path.Combine(fakes, "fake-trainer.js")], [InfraPaths.Node, Path.Combine(fakes, "fake-runtime.js")], null, null);
        var settings = new OperatorSettings { Bucket = "personalize", PollInterval = TimeSpan.FromMilliseconds(500) };
        await using var local = await LocalOperatorUnderTest.StartAsync(manifests, Path.Combine(_root.FullName, "state"), store, settings, commands, TextWriter.Null, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);
        await Wait.UntilAsync(() => local.Store.Get<DatasetImportJob>("default", "import")?.Status.Phase == Phases.Active || run.IsCompleted, TimeSpan.FromSeconds(60), "the import to be ACTIVE");
        var runs = await File.ReadAllLinesAsync(Path.Combine(store, "runs.log"));

        await File.WriteAllTextAsync(manifestFile, Manifests
            .Replace("metadata: {name: retail}\nspec: {}", "metadata: {name: retail}\nspec: {kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd'}", StringComparison.Ordinal)
            .Replace("interactions.csv\"}}", "interactions.csv\"}, publishAttributionMetricsToS3: true}", StringComparison.Ordinal));
        await local.Store.ApplyManifestsAsync(CancellationToken.None);

        var group = await TerminalAsync<DatasetGroup>(local, run, "retail");
        Assert.StartsWith("spec.kmsKeyArn cannot change", group.Message);
        var import = await TerminalAsync<DatasetImportJob>(local, run, "import");
        Assert.StartsWith("spec.publishAttributionMetricsToS3 cannot change", import.Message);
        Assert.Equal(Phases.Active, local.Store.Get<DatasetGroup>("default", "retail")!.Status.Phase);
        Assert.Equal(Phases.Active, local.Store.Get<DatasetImportJob>("default", "import")!.Status.Phase);
        Assert.Equal(Phases.Active, local.Store.Get<Dataset>("default", "interactions")!.Status.Phase);
        Assert.Equal(runs, await File.ReadAllLinesAsync(Path.Combine(store, "runs.log")));
        await stop.CancelAsync();
        await run;
    }

    private static async Task<Condition> TerminalAsync<T>(LocalOperatorUnderTest local, Task run, string name)
        where T : class, IPersonalizeResource
    {
        Condition? terminal = null;
        await Wait.UntilAsync(
            () => (terminal = local.Store.Get<T>("default", name)?.CommonStatus.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Terminal && c.Status == ConditionStatus.True)) is not null || run.IsCompleted,
            TimeSpan.FromSeconds(30),
            $"{typeof(T).Name} {name} to have a Terminal condition");
        Assert.Equal("ImmutableFieldChanged", terminal!.Reason);
        return terminal;
    }

    public void Dispose() => _root.Delete(recursive: true);
}
