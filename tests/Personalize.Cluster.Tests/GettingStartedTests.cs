using System.Text.Json.Nodes;
using Personalize.Data.Generation;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

/// <summary>
/// Amazon Personalize's Getting Started in boto3 (the script local mode's test runs), against the chart's gateway
/// Service through a port-forward, signed with an access key bound to the shop namespace: the control plane creates
/// the resources, trainer Jobs import and train, the gateway forwards runtime and events calls to the campaigns'
/// runtimes, which require their bearer tokens.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GettingStartedTests(InstalledProduct product)
{
    private const string KeyId = "AKIDGETTINGSTARTED";
    private const string SecretKey = "getting-started-secret";

    [Fact]
    public async Task GettingStartedSequence_RunsUnchanged_ThroughTheGatewayService()
    {
        var limit = TimeSpan.FromMinutes(25);
        using var timeout = new CancellationTokenSource(limit);
        var ct = timeout.Token;
        await product.Node.S3.CreateBucketAsync(InstalledProduct.GettingStartedBucket, ct);
        using (var store = new MinioObjectStore(product.Node.S3.CreateClient()))
        {
            var data = new SyntheticDataGenerator(new GeneratorOptions { Users = 200, Items = 120, Interactions = 4_000 });
            await GeneratedFiles.WriteToStoreAsync(data, store, S3Uri.Parse($"s3://{InstalledProduct.GettingStartedBucket}/"), ct);
        }

        (await product.Node.Kube.KubectlAsync(["apply", "-n", InstalledProduct.SystemNamespace, "-f", "-"], $$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: getting-started-key
              labels: {personalize.io/gateway-access-key: "true"}
            stringData: {accessKeyId: {{KeyId}}, secretAccessKey: {{SecretKey}}, namespace: {{InstalledProduct.Shop}}}
            """, ct)).EnsureSuccess("kubectl apply of the access key");
        await product.WaitAsync(
            async t => (await product.ReadyPodsAsync(InstalledProduct.SystemNamespace, InstalledProduct.GatewaySelector, t)).Count > 0,
            TimeSpan.FromMinutes(3),
            "a ready gateway pod",
            ct,
            InstalledProduct.SystemNamespace);
        var service = (await product.GetJsonAsync(ct, "services", "-n", InstalledProduct.SystemNamespace, "-l", InstalledProduct.GatewaySelector))
            .GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString();

        var (forward, port) = await product.Node.PortForwardAsync(InstalledProduct.SystemNamespace, $"service/{service}", 8080, ct);
        await using (forward)
        {
            JsonNode seen;
            try
            {
                seen = await Boto3.RunAsync(
                    "getting_started.py",
                    [$"http://127.0.0.1:{port}", product.Node.S3.Endpoint, InstalledProduct.GettingStartedBucket],
                    limit,
                    new Dictionary<string, string>
                    {
                        ["GS_KEY"] = KeyId,
                        ["GS_SECRET"] = SecretKey,
                        ["S3_ACCESS_KEY"] = product.Node.S3.AccessKey,
                        ["S3_SECRET_KEY"] = product.Node.S3.SecretKey,
                    });
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{ex.Message}\n{await product.Node.DiagnosticsAsync(InstalledProduct.Shop)}\n{await product.Node.DiagnosticsAsync(InstalledProduct.SystemNamespace)}");
            }

            Assert.True(seen["recipes"]!.GetValue<int>() >= 5);
            Assert.InRange(seen["metrics"]!["precision_at_25"]!.GetValue<double>(), 0.0, 1.0);
            Assert.StartsWith("arn:aws:personalize:::recipe/", seen["bestRecipe"]!.GetValue<string>(), StringComparison.Ordinal);
            var before = seen["before"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
            Assert.Equal(10, before.Count);
            Assert.Equal(before.Take(5).Order(StringComparer.Ordinal), seen["ranking"]!.AsArray().Select(i => i!.GetValue<string>()).Order(StringComparer.Ordinal));
            // The event went through the gateway to the campaign's runtime: the item just viewed is not recommended again.
            Assert.DoesNotContain(before[0], seen["after"]!.AsArray().Select(i => i!.GetValue<string>()));
            var batch = seen["batchOut"]!.AsArray();
            Assert.Equal(3, batch.Count);
            Assert.Equal("u1", batch[0]!["input"]!["userId"]!.GetValue<string>());
            Assert.Equal(5, batch[0]!["output"]!["recommendedItems"]!.AsArray().Count);
        }
    }
}
