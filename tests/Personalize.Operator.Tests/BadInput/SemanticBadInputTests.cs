using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests.BadInput;

/// <summary>
/// Input the schema admits but the operator's own checks refuse (Avro schemas, filter grammar, recipes and their
/// hyper-parameter ranges, settings this product does not support), through local mode: CREATE FAILED with a reason
/// naming the field, and no trainer run.
/// </summary>
public sealed class SemanticBadInputTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-semantic-");

    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "Schema", "no-user", """{schema: '{"type":"record","name":"Interactions","fields":[{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}]}'}""", "spec.schema" },
        { "Schema", "not-avro", "{schema: 'not json at all'}", "spec.schema" },
        { "Filter", "bad-grammar", "{datasetGroupRef: {name: retail}, filterExpression: 'EXCLUDE ItemID WHERE'}", "spec." },
        { "Filter", "context-column", """{datasetGroupRef: {name: retail}, filterExpression: 'EXCLUDE ItemID WHERE Interactions.DEVICE IN ("mobile")'}""", "spec.filterExpression: at position 22: Interactions.DEVICE" },
        { "Filter", "unknown-dataset", """{datasetGroupRef: {name: retail}, filterExpression: 'EXCLUDE ItemID WHERE Clicks.EVENT_TYPE IN ("x")'}""", "spec." },
        { "Solution", "hp-out-of-range", "{datasetGroupRef: {name: retail}, recipeArn: 'arn:aws:personalize:::recipe/aws-hrnn', solutionConfig: {algorithmHyperParameters: {hidden_dimension: '100000'}}}", "hidden_dimension" },
        { "Solution", "hp-unknown", "{datasetGroupRef: {name: retail}, recipeArn: 'arn:aws:personalize:::recipe/aws-hrnn', solutionConfig: {algorithmHyperParameters: {no_such_parameter: '1'}}}", "no_such_parameter" },
        { "Solution", "hp-not-a-number", "{datasetGroupRef: {name: retail}, recipeArn: 'arn:aws:personalize:::recipe/aws-hrnn', solutionConfig: {algorithmHyperParameters: {bptt: 'many'}}}", "bptt" },
        { "Solution", "automl-with-hp", "{datasetGroupRef: {name: retail}, performAutoML: true, solutionConfig: {algorithmHyperParameters: {bptt: '16'}}}", "solutionConfig.algorithmHyperParameters" },
        { "Solution", "no-recipe", "{datasetGroupRef: {name: retail}}", "spec.recipeArn" },
        { "Solution", "automl-with-recipe", "{datasetGroupRef: {name: retail}, performAutoML: true, recipeArn: 'arn:aws:personalize:::recipe/aws-hrnn'}", "spec.recipeArn" },
        { "Solution", "automl-with-features", "{datasetGroupRef: {name: retail}, performAutoML: true, solutionConfig: {featureTransformationParameters: {max_user_history_length_percentile: '0.9'}}}", "solutionConfig.featureTransformationParameters" },
        { "Solution", "metric-regex", "{datasetGroupRef: {name: retail}, recipeArn: 'arn:aws:personalize:::recipe/aws-hrnn', performHPO: true, solutionConfig: {hpoConfig: {hpoObjective: {type: Maximize, metricName: precision_at_25, metricRegex: 'precision=([0-9.]+)'}}}}", "solutionConfig.hpoConfig.hpoObjective.metricRegex" },
        { "DatasetGroup", "domain-group", "{domain: ECOMMERCE}", "spec.domain" },
        { "DatasetGroup", "kms-group", "{kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'}", "spec.kmsKeyArn" },
        { "Schema", "domain-schema", """{domain: VIDEO_ON_DEMAND, schema: '{"type":"record","name":"Interactions","fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}]}'}""", "spec.domain" },
        { "DatasetImportJob", "publish-attribution", "{datasetRef: {name: interactions}, dataSource: {dataLocation: 's3://personalize/default/interactions.csv'}, publishAttributionMetricsToS3: true}", "spec.publishAttributionMetricsToS3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheOperatorFailsTheResource_NamingTheField_AndStartsNoRun(string kind, string name, string spec, string field)
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_root.FullName, "manifests")).FullName;
        var store = Path.Combine(_root.FullName, "store");
        await File.WriteAllTextAsync(Path.Combine(manifests, "all.yaml"), $$"""
            apiVersion: personalize.io/v1alpha1
            kind: DatasetGroup
            metadata: {name: retail}
            spec: {}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: {{kind}}
            metadata: {name: {{name}}}
            spec: {{spec}}
            """);
        var fakes = Path.Combine(AppContext.BaseDirectory, "Fakes");
        var commands = new LocalCommands([InfraPaths.Node, Path.Combine(fakes, "fake-trainer.js")], [InfraPaths.Node, Path.Combine(fakes, "fake-runtime.js")], null, null);
        var settings = new OperatorSettings { Bucket = "personalize", PollInterval = TimeSpan.FromMilliseconds(500) };
        await using var local = await LocalOperatorUnderTest.StartAsync(manifests, Path.Combine(_root.FullName, "state"), store, settings, commands, TextWriter.Null, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);

        IPersonalizeResource? failed = null;
        await Wait.UntilAsync(() => (failed = Find(local.Store, kind, name)) is { CommonStatus.Phase: Phases.CreateFailed } || run.IsCompleted, TimeSpan.FromSeconds(30), $"{kind} {name} to be CREATE FAILED");

        Assert.Contains(field, failed!.CommonStatus.FailureReason, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(store, "runs.log")), "a trainer run was started");
        await stop.CancelAsync();
        await run;
    }

    private static IPersonalizeResource? Find(ManifestFolderStore store, string kind, string name) => kind switch
    {
        "DatasetGroup" => store.Get<DatasetGroup>("default", name),
        "Schema" => store.Get<Schema>("default", name),
        "DatasetImportJob" => store.Get<DatasetImportJob>("default", name),
        "Filter" => store.Get<Filter>("default", name),
        "Solution" => store.Get<Solution>("default", name),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public void Dispose() => _root.Delete(recursive: true);
}
