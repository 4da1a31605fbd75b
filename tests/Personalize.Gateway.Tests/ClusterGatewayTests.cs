using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Personalize.Api;
using Personalize.Gateway.Auth;
using Personalize.Gateway.ControlPlane;
using Personalize.Operator.Controllers.Cluster;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Testing;
using Xunit;

namespace Personalize.Gateway.Tests;

/// <summary>
/// The gateway as `personalize gateway` runs it, in process: resources in a real kube-apiserver, SigV4 verified against
/// access keys in real Secrets, each bound to a namespace; boto3 as the client and kubectl as the other view.
/// </summary>
public sealed class ClusterGatewayTests(ApiServerWithCrds fixture) : IClassFixture<ApiServerWithCrds>
{
    private KubeApiServer Kube => fixture.Server;

    [Fact]
    public async Task SignedCallsActInTheKeysNamespaceOnly_RefusesBadSignatures_AndKubectlAndTheApiSeeTheSameResources()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var keys = await Kube.CreateNamespaceAsync("gateway-keys", timeout.Token);
        var teamA = await Kube.CreateNamespaceAsync("team-a", timeout.Token);
        var teamB = await Kube.CreateNamespaceAsync("team-b", timeout.Token);
        using var client = Kube.CreateClient();
        await CreateKeyAsync(client, keys, teamA, "AKIDTEAMA", "secret-a", timeout.Token);
        await CreateKeyAsync(client, keys, teamB, "AKIDTEAMB", "secret-b", timeout.Token);
        (await Kube.KubectlAsync(["apply", "-n", teamA, "-f", "-"], """
            apiVersion: personalize.io/v1alpha1
            kind: DatasetGroup
            metadata: {name: from-kubectl}
            spec: {}
            """, timeout.Token)).EnsureSuccess("kubectl apply");

        using var stop = new CancellationTokenSource();
        var store = new KubernetesResourceStore(client, watchNamespaces: [], new InformerOptions(), new OperatorMetrics(), NullLoggerFactory.Instance);
        await store.StartAsync(stop.Token);
        await Wait.UntilAsync(() => store.Get<DatasetGroup>(teamA, "from-kubectl") is not null, TimeSpan.FromSeconds(30), "the cache to see the applied group", timeout.Token);
        try
        {
            var options = new GatewayOptions { AccessKeys = new SecretAccessKeys(client, keys, TimeProvider.System) };
            await using var gateway = await GatewayServer.StartAsync(store, options, NullLoggerFactory.Instance, timeout.Token);
            var seen = await Boto3.RunAsync("signatures.py", [gateway.Endpoint.ToString().TrimEnd('/'), "AKIDTEAMA", "secret-a", "AKIDTEAMB", "secret-b"], TimeSpan.FromMinutes(2));

            // A's calls act in A's namespace, and kubectl sees what the API created, marked as the gateway's.
            Assert.Equal($"arn:k8s:personalize:{teamA}::dataset-group/shop", seen["group"]!.GetValue<string>());
            Assert.Equal("Shop", seen["ownDescribe"]!.GetValue<string>());
            var listed = await Kube.KubectlAsync(["get", "dsg", "-n", teamA, "-l", $"{PersonalizeNames.ManagedByLabel}={PersonalizeNames.ManagedByValue}", "-o", "jsonpath={.items[*].metadata.annotations.personalize\\.io/name}"], null, timeout.Token);
            Assert.Equal("Shop", listed.EnsureSuccess("kubectl get dsg").StdOut.Trim());
            // ... and the API describes what kubectl applied.
            Assert.Equal(["Shop", "from-kubectl"], seen["ownList"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));

            // B cannot describe, list, delete or route to A's resources.
            Assert.Equal("ResourceNotFoundException/ResourceNotFoundException/400", seen["otherDescribe"]!.GetValue<string>());
            Assert.Empty(seen["otherList"]!.AsArray());
            Assert.Equal("ResourceNotFoundException/ResourceNotFoundException/400", seen["otherDelete"]!.GetValue<string>());
            Assert.NotNull(await client.CustomObjects.GetNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, teamA, "datasetgroups", "shop", timeout.Token));
            Assert.StartsWith("ResourceNotFoundException/", seen["otherRuntime"]!.GetValue<string>(), StringComparison.Ordinal);

            Assert.Equal("InvalidSignatureException/ClientError/403", seen["wrongSecret"]!.GetValue<string>());
            Assert.Equal("UnrecognizedClientException/ClientError/403", seen["unknownKey"]!.GetValue<string>());
            Assert.Equal("UnrecognizedClientException/ClientError/403", seen["unsigned"]!.GetValue<string>());
            Assert.Equal("UnrecognizedClientException/ClientError/403", seen["unsignedEvents"]!.GetValue<string>());
        }
        finally
        {
            await stop.CancelAsync();
            await store.Completion.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    [Fact]
    public async Task AKeyOfANamespaceTheGatewayDoesNotServe_IsAccessDenied_NamingTheNamespace_AndNothingIsWrittenThere()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var keys = await Kube.CreateNamespaceAsync("gateway-keys", timeout.Token);
        var served = await Kube.CreateNamespaceAsync("served", timeout.Token);
        var unserved = await Kube.CreateNamespaceAsync("unserved", timeout.Token);
        using var client = Kube.CreateClient();
        await CreateKeyAsync(client, keys, served, "AKIDSERVED", "secret-a", timeout.Token);
        await CreateKeyAsync(client, keys, unserved, "AKIDUNSERVED", "secret-b", timeout.Token);

        using var stop = new CancellationTokenSource();
        var store = new KubernetesResourceStore(client, watchNamespaces: [served], new InformerOptions(), new OperatorMetrics(), NullLoggerFactory.Instance);
        await store.StartAsync(stop.Token);
        try
        {
            var options = new GatewayOptions { AccessKeys = new SecretAccessKeys(client, keys, TimeProvider.System), ServedNamespaces = [served] };
            await using var gateway = await GatewayServer.StartAsync(store, options, NullLoggerFactory.Instance, timeout.Token);
            var seen = await Boto3.RunAsync("served_namespaces.py", [gateway.Endpoint.ToString().TrimEnd('/'), "AKIDSERVED", "secret-a", "AKIDUNSERVED", "secret-b"], TimeSpan.FromMinutes(2));

            Assert.Equal(["Shop"], seen["ownList"]!.AsArray().Select(n => n!.GetValue<string>()));
            foreach (var call in new[] { "unservedList", "unservedCreate", "unservedRuntime" })
            {
                Assert.Equal("AccessDeniedException", seen[call]!["code"]!.GetValue<string>());
                Assert.Equal(403, seen[call]!["status"]!.GetValue<int>());
                Assert.Contains($"namespace {unserved}, which this gateway does not serve (operator.watchNamespaces: {served})", seen[call]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            }

            var written = await client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<DatasetGroup>>(ApiGroup.Group, ApiGroup.Version, unserved, "datasetgroups", cancellationToken: timeout.Token);
            Assert.Empty(written.Items);
        }
        finally
        {
            await stop.CancelAsync();
            await store.Completion.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private static Task CreateKeyAsync(IKubernetes client, string keyNamespace, string tenant, string id, string secret, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "key-" + tenant, Labels = new Dictionary<string, string> { [SecretAccessKeys.Label] = "true" } },
                Data = new Dictionary<string, byte[]>
                {
                    ["accessKeyId"] = Encoding.UTF8.GetBytes(id),
                    ["secretAccessKey"] = Encoding.UTF8.GetBytes(secret),
                    ["namespace"] = Encoding.UTF8.GetBytes(tenant),
                },
            },
            keyNamespace,
            cancellationToken: cancellationToken);
}
