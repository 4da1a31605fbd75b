using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Operator.Controllers.Hosting;
using Personalize.Operator.Controllers.Local;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// Local mode admits manifests as the API server would: defaults filled, names and fields validated from the generated
/// CRD schema, unknown fields refused (kubectl's strict field validation), nothing written outside the state folder,
/// and an invalid edit changes nothing stored.
/// </summary>
public sealed class LocalManifestTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("personalize-local-manifests-");

    private string Manifests => Directory.CreateDirectory(Path.Combine(_root.FullName, "manifests")).FullName;

    private string State => Path.Combine(_root.FullName, "state");

    [Fact]
    public async Task ASolutionVersionAddedWhileRunning_IsAppliedAndTrained()
    {
        await File.WriteAllTextAsync(Path.Combine(Manifests, "shop.yaml"), LocalModeTests.Manifests);
        var fakes = Path.Combine(AppContext.BaseDirectory, "Fakes");
        var commands = new LocalCommands([InfraPaths.Node, Path.Combine(fakes, "fake-trainer.js")], [InfraPaths.Node, Path.Combine(fakes, "fake-runtime.js")], null, null);
        var settings = new OperatorSettings { Bucket = "personalize", PollInterval = TimeSpan.FromMilliseconds(500) };
        await using var local = await LocalOperatorUnderTest.StartAsync(Manifests, State, Path.Combine(_root.FullName, "store"), settings, commands, TextWriter.Null, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = local.RunAsync(stop.Token);
        await Wait.UntilAsync(() => local.Store.Get<SolutionVersion>("default", "v1")?.Status.Phase == Phases.Active || run.IsCompleted, TimeSpan.FromSeconds(60), "v1 to be ACTIVE");

        await File.WriteAllTextAsync(Path.Combine(Manifests, "v2.yaml"), """
            apiVersion: personalize.io/v1alpha1
            kind: SolutionVersion
            metadata:
              name: v2
            spec:
              solutionRef:
                name: hrnn
            """);
        await local.Store.ApplyManifestsAsync(CancellationToken.None);

        await Wait.UntilAsync(() => local.Store.Get<SolutionVersion>("default", "v2")?.Status.Phase == Phases.Active || run.IsCompleted, TimeSpan.FromSeconds(60), "v2 to be ACTIVE");
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData("name: ../../../tmp/x", "metadata.name")]
    [InlineData("{name: x, namespace: ../../../tmp}", "metadata.namespace")]
    public async Task ANameOrNamespaceThatIsNotAnRfc1123Label_IsRefusedNamingTheField_AndNothingIsWrittenOutsideTheState(string metadata, string field)
    {
        await File.WriteAllTextAsync(Path.Combine(Manifests, "group.yaml"), $"apiVersion: personalize.io/v1alpha1\nkind: DatasetGroup\nmetadata: {(metadata.StartsWith('{') ? metadata : "{" + metadata + "}")}\n");
        var store = new ManifestFolderStore(Manifests, State);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => store.StartAsync(CancellationToken.None));

        Assert.Contains(field, refused.Message, StringComparison.Ordinal);
        Assert.Empty(store.List<DatasetGroup>());
        Assert.False(Directory.Exists(Path.Combine(_root.FullName, "tmp")), "a file was written outside the state folder");
    }

    [Fact]
    public async Task AnInvalidEdit_IsRefusedNamingTheField_AndTheStoredResourceIsKept()
    {
        var file = Path.Combine(Manifests, "campaign.yaml");
        const string valid = """
            apiVersion: personalize.io/v1alpha1
            kind: Campaign
            metadata: {name: shop}
            spec: {solutionVersionRef: {name: v1}, minProvisionedTPS: 5}
            """;
        await File.WriteAllTextAsync(file, valid);
        var store = new ManifestFolderStore(Manifests, State);
        await store.StartAsync(CancellationToken.None);
        var before = store.Get<Campaign>("default", "shop")!;

        await File.WriteAllTextAsync(file, valid.Replace("minProvisionedTPS: 5", "minProvisionedTPS: 0", StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => store.ApplyManifestsAsync(CancellationToken.None));

        Assert.Contains("spec.minProvisionedTPS", refused.Message, StringComparison.Ordinal);
        Assert.Contains("campaign.yaml", refused.Message, StringComparison.Ordinal);
        var after = store.Get<Campaign>("default", "shop")!;
        Assert.Equal(5, after.Spec.MinProvisionedTPS);
        Assert.Equal(before.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData("kind: Campaign\nmetadata: {name: shop}\nspec: {solutionVersionRef: {name: v1}, minProvisionedTps: 5}", "spec.minProvisionedTps: unknown field (did you mean minProvisionedTPS?)")]
    [InlineData("kind: Solution\nmetadata: {name: hrnn}\nspec: {datasetGroupRef: {name: retail}, recipeArn: \"arn:aws:personalize:::recipe/aws-hrnn\", solutionConfig: {hpoconfig: {}}}", "spec.solutionConfig.hpoconfig: unknown field (did you mean hpoConfig?)")]
    [InlineData("kind: DatasetGroup\nmetadata: {name: retail, lables: {team: shop}}\nspec: {}", "metadata.lables: unknown field")]
    [InlineData("kind: DatasetGroup\nmetadata: {name: retail}\nspec: {}\nsepc: {}", "sepc: unknown field")]
    public async Task AMisspeltOrUnknownField_IsRefusedNamingTheFileAndTheField_AndWhatIsStoredIsKept(string manifest, string error)
    {
        var kept = Path.Combine(Manifests, "group.yaml");
        await File.WriteAllTextAsync(kept, "apiVersion: personalize.io/v1alpha1\nkind: DatasetGroup\nmetadata: {name: retail}\nspec: {}\n");
        var store = new ManifestFolderStore(Manifests, State);
        await store.StartAsync(CancellationToken.None);
        var before = store.Get<DatasetGroup>("default", "retail")!;

        // Were the apply to go ahead, the group would be pruned or edited: it must stay as it was.
        File.Delete(kept);
        await File.WriteAllTextAsync(Path.Combine(Manifests, "misspelt.yaml"), "apiVersion: personalize.io/v1alpha1\n" + manifest + "\n");
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => store.ApplyManifestsAsync(CancellationToken.None));

        Assert.Contains("misspelt.yaml", refused.Message, StringComparison.Ordinal);
        Assert.Contains(error, refused.Message, StringComparison.Ordinal);
        var after = store.Get<DatasetGroup>("default", "retail");
        Assert.Equal(before.Metadata.ResourceVersion, after?.Metadata.ResourceVersion);
        Assert.Empty(store.List<Campaign>());
        Assert.Empty(store.List<Solution>());
    }

    [Fact]
    public async Task AManifestExportedFromACluster_IsAdmitted_WithItsServerFieldsAndStatusSetAside()
    {
        await File.WriteAllTextAsync(Path.Combine(Manifests, "exported.yaml"), """
            apiVersion: personalize.io/v1alpha1
            kind: Campaign
            metadata:
              name: shop
              namespace: default
              labels: {team: shop}
              annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
              uid: 0f6d3c52-8d7e-4c39-9a57-2f2f1f7f5b10
              resourceVersion: "4711"
              generation: 3
              creationTimestamp: "2026-01-02T03:04:05Z"
              finalizers: [personalize.io/cleanup]
              managedFields: [{manager: kubectl, operation: Apply}]
            spec: {solutionVersionRef: {name: v1}, minProvisionedTPS: 2}
            status: {phase: ACTIVE, endpoint: "http://shop.default.svc"}
            """);
        var store = new ManifestFolderStore(Manifests, State);

        await store.StartAsync(CancellationToken.None);

        var campaign = store.Get<Campaign>("default", "shop")!;
        Assert.Equal(2, campaign.Spec.MinProvisionedTPS);
        Assert.Equal("shop", campaign.Metadata.Labels["team"]);
        Assert.Null(campaign.Status.Phase);
    }

    [Fact]
    public async Task OmittedFields_GetTheCrdDefaults_AndAStatusInTheManifestIsIgnored()
    {
        await File.WriteAllTextAsync(Path.Combine(Manifests, "all.yaml"), """
            apiVersion: personalize.io/v1alpha1
            kind: SolutionVersion
            metadata: {name: v1}
            spec: {solutionRef: {name: hrnn}}
            status: {phase: ACTIVE, modelLocation: "s3://someone-else/model/"}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: Campaign
            metadata: {name: shop}
            spec: {solutionVersionRef: {name: v1}}
            """);
        var store = new ManifestFolderStore(Manifests, State);
        await store.StartAsync(CancellationToken.None);

        var version = store.Get<SolutionVersion>("default", "v1")!;
        Assert.Equal("FULL", version.Spec.TrainingMode);
        Assert.Null(version.Status.Phase);
        Assert.Null(version.Status.ModelLocation);
        Assert.Equal(1, store.Get<Campaign>("default", "shop")!.Spec.MinProvisionedTPS);
    }

    [Theory]
    [InlineData("examples/quickstart")]
    [InlineData("config/samples")]
    public async Task TheShippedManifests_AreAdmitted(string folder)
    {
        var store = new ManifestFolderStore(Path.Combine(InfraPaths.RepoRoot, folder), State);

        await store.StartAsync(CancellationToken.None);

        Assert.NotEmpty(store.List<DatasetGroup>());
    }

    public void Dispose() => _root.Delete(recursive: true);
}
