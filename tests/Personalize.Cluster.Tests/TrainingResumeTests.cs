using Minio.DataModel.Args;
using Personalize.Data.Generation;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>A training pod lost mid-run (deleted, as a node drain or eviction would): the Job's next pod resumes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TrainingResumeTests(InstalledProduct product)
{
    private const string Version = "bigshop-hrnn-v1";

    [Fact]
    public async Task DeletingTheTrainingPodMidRunResumesFromTheLastCheckpoint()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(9));
        var ct = timeout.Token;
        // Enough data that epochs take seconds on the node: there is a "mid-run" to hit.
        using (var store = new MinioObjectStore(product.Node.S3.CreateClient()))
        {
            var generator = new SyntheticDataGenerator(new GeneratorOptions { Users = 5_000, Items = 2_000, Interactions = 150_000, Seed = 7 });
            await GeneratedFiles.WriteToStoreAsync(generator, store, S3Uri.Parse($"s3://{InstalledProduct.DataBucket}/bigshop/"), ct);
        }

        (await product.Node.Kube.KubectlAsync(["apply", "-n", InstalledProduct.Shop, "-f", "-"], $$"""
            apiVersion: personalize.io/v1alpha1
            kind: DatasetGroup
            metadata:
              name: bigshop
            spec: {}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: Dataset
            metadata:
              name: bigshop-interactions
            spec:
              datasetGroupRef: {name: bigshop}
              datasetType: Interactions
              schemaRef: {name: quickstart-interactions}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: DatasetImportJob
            metadata:
              name: bigshop-interactions
            spec:
              datasetRef: {name: bigshop-interactions}
              dataSource: {dataLocation: "s3://{{InstalledProduct.DataBucket}}/bigshop/interactions.csv"}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: Solution
            metadata:
              name: bigshop-hrnn
            spec:
              datasetGroupRef: {name: bigshop}
              recipeArn: arn:aws:personalize:::recipe/aws-hrnn
              solutionConfig:
                algorithmHyperParameters: {hidden_dimension: "128"}
            ---
            apiVersion: personalize.io/v1alpha1
            kind: SolutionVersion
            metadata:
              name: {{Version}}
            spec:
              solutionRef: {name: bigshop-hrnn}
            """, ct)).EnsureSuccess("kubectl apply bigshop");

        // A checkpoint exists and training goes on: delete the pod now.
        IReadOnlyDictionary<string, DateTime> before = new Dictionary<string, DateTime>();
        await product.WaitAsync(
            async t =>
            {
                before = await CheckpointsAsync(t);
                return before.Count > 0;
            },
            TimeSpan.FromMinutes(6),
            $"a checkpoint of {Version}",
            ct);
        Assert.Equal("CREATE IN_PROGRESS", await product.FieldAsync("solutionversion", Version, "{.status.phase}", ct));
        var selector = $"personalize.io/owner-name={Version}";
        var lost = (await product.KubectlAsync(ct, "get", "pods", "-n", InstalledProduct.Shop, "-l", selector, "-o", "jsonpath={.items[0].metadata.name}")).StdOut.Trim();
        var deletedAt = DateTime.UtcNow;
        (await product.KubectlAsync(ct, "delete", "pod", lost, "-n", InstalledProduct.Shop, "--wait=false")).EnsureSuccess("kubectl delete pod");

        await product.WaitForPhaseAsync("solutionversion", Version, "ACTIVE", TimeSpan.FromMinutes(6), ct);
        // The Job finished on a pod of its own: not the one that was lost.
        var pods = await product.GetJsonAsync(ct, "pods", "-n", InstalledProduct.Shop, "-l", selector);
        var succeeded = Assert.Single(pods.GetProperty("items").EnumerateArray(), p => p.GetProperty("status").GetProperty("phase").GetString() == "Succeeded");
        Assert.NotEqual(lost, succeeded.GetProperty("metadata").GetProperty("name").GetString());

        // The next pod started after the newest checkpoint: the epochs before it were not trained (written) again.
        var after = await CheckpointsAsync(ct);
        Assert.Contains("epoch-0008.ckpt", after.Keys);
        foreach (var (name, written) in before)
        {
            Assert.True(after[name] == written, $"{name} was written again at {after[name]:O} (first at {written:O}, pod deleted at {deletedAt:O}): training restarted");
        }
    }

    private async Task<IReadOnlyDictionary<string, DateTime>> CheckpointsAsync(CancellationToken ct)
    {
        var checkpoints = new Dictionary<string, DateTime>();
        var prefix = $"{InstalledProduct.Shop}/bigshop/solutions/bigshop-hrnn/{Version}/";
        await foreach (var item in product.Node.S3.Client.ListObjectsEnumAsync(
            new ListObjectsArgs().WithBucket("personalize").WithPrefix(prefix).WithRecursive(true), ct))
        {
            var name = item.Key[(item.Key.LastIndexOf('/') + 1)..];
            if (name.StartsWith("epoch-", StringComparison.Ordinal))
            {
                checkpoints[name] = item.LastModifiedDateTime ?? DateTime.MinValue;
            }
        }

        return checkpoints;
    }
}
