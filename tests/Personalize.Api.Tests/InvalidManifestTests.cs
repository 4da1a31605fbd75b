using Personalize.Testing;

namespace Personalize.Api.Tests;

/// <summary>The real API server refuses manifests that break the generated schema, naming the field.</summary>
[Collection(KubeApiServerCollection.Name)]
public sealed class InvalidManifestTests(ApiServerWithCrds fixture)
{
    private readonly KubeApiServer _server = fixture.Server;

    public static TheoryData<string, string, string> InvalidManifests => new()
    {
        {
            "wrong datasetType",
            """
            kind: Dataset
            metadata: {name: bad-type}
            spec: {datasetGroupRef: {name: g}, schemaRef: {name: s}, datasetType: Clicks}
            """,
            "spec.datasetType"
        },
        {
            "minProvisionedTPS 0",
            """
            kind: Campaign
            metadata: {name: zero-tps}
            spec: {solutionVersionRef: {name: v1}, minProvisionedTPS: 0}
            """,
            "spec.minProvisionedTPS"
        },
        {
            "a name longer than Personalize allows",
            """
            kind: DatasetGroup
            metadata: {name: a-name-that-is-far-too-long-for-amazon-personalize-which-allows-63}
            spec: {}
            """,
            "metadata.name"
        },
        {
            "a data location outside S3",
            """
            kind: DatasetImportJob
            metadata: {name: ftp-import}
            spec: {datasetRef: {name: interactions}, dataSource: {dataLocation: "ftp://example.org/data.csv"}}
            """,
            "spec.dataSource.dataLocation"
        },
        {
            "a missing required reference",
            """
            kind: SolutionVersion
            metadata: {name: orphan}
            spec: {trainingMode: FULL}
            """,
            "spec.solutionRef"
        },
        {
            "numResults above 500",
            """
            kind: BatchInferenceJob
            metadata: {name: too-many}
            spec:
              solutionVersionRef: {name: v1}
              jobInput: {s3DataSource: {path: "s3://bucket/in/"}}
              jobOutput: {s3DataDestination: {path: "s3://bucket/out/"}}
              numResults: 501
            """,
            "spec.numResults"
        },
        {
            "a recipe that does not exist",
            """
            kind: Solution
            metadata: {name: bad-recipe}
            spec: {datasetGroupRef: {name: g}, recipeArn: "arn:aws:personalize:::recipe/aws-magic"}
            """,
            "spec.recipeArn"
        },
        {
            "an import mode Personalize does not have",
            """
            kind: DatasetImportJob
            metadata: {name: bad-mode}
            spec: {datasetRef: {name: interactions}, dataSource: {dataLocation: "s3://bucket/data.csv"}, importMode: APPEND}
            """,
            "spec.importMode"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidManifests))]
    public async Task ApiServerRejectsTheManifestNamingTheField(string problem, string manifest, string field)
    {
        var ns = await _server.CreateNamespaceAsync("invalid");
        var yaml = $"apiVersion: personalize.io/v1alpha1\n{manifest}\n";

        // --validate=false: the API server itself must refuse, not only kubectl's client-side check.
        var result = await _server.KubectlAsync(["apply", "--validate=false", "-n", ns, "-f", "-"], yaml);

        Assert.False(result.Succeeded, $"{problem}: the API server accepted it.\n{result.StdOut}");
        Assert.Contains(field, result.StdErr);
    }

    [Fact]
    public async Task NothingStoredIsLostWhenAnEditIsRejected()
    {
        var ns = await _server.CreateNamespaceAsync("keep");
        const string valid = """
            apiVersion: personalize.io/v1alpha1
            kind: Campaign
            metadata: {name: shop}
            spec: {solutionVersionRef: {name: v1}, minProvisionedTPS: 5}
            """;
        (await _server.KubectlAsync(["apply", "-n", ns, "-f", "-"], valid)).EnsureSuccess("valid campaign");

        var rejected = await _server.KubectlAsync(["apply", "-n", ns, "-f", "-"], valid.Replace("minProvisionedTPS: 5", "minProvisionedTPS: 0", StringComparison.Ordinal));
        var stored = await _server.KubectlAsync("get", "campaign", "shop", "-n", ns, "-o", "jsonpath={.spec.minProvisionedTPS}");

        Assert.False(rejected.Succeeded);
        Assert.Equal("5", stored.EnsureSuccess().StdOut.Trim());
    }
}
