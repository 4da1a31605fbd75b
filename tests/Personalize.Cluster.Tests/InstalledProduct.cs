using System.Globalization;
using System.Text.Json;
using Personalize.Data.Generation;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Cluster.Tests;

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<InstalledProduct>
{
    public const string Name = "cluster";
}

/// <summary>
/// The user's path on a real node: the chart installed with Helm (two operator replicas, leader election, the S3
/// server over the pod network), the quickstart's data in S3, and examples/quickstart/ applied in namespace
/// <see cref="Shop"/>. Tests wait on what they need (an import, a campaign) with deadlines, so their order does not matter.
/// </summary>
public sealed class InstalledProduct : IAsyncLifetime
{
    public const string Release = "personalize";
    public const string SystemNamespace = "personalize-system";
    public const string Shop = "shop";
    public const string DataBucket = "quickstart-data";

    /// <summary>Getting Started's own data (the sizes local mode's test uses), a second bucket the shop namespace may read.</summary>
    public const string GettingStartedBucket = "getting-started";
    public const string OperatorSelector = "app.kubernetes.io/name=personalize-operator,app.kubernetes.io/component=operator";
    public const string GatewaySelector = "app.kubernetes.io/name=personalize-operator,app.kubernetes.io/component=gateway";

    /// <summary>What one runtime replica is planned to serve here (the chart's runtime.tpsPerReplica): a replica requests
    /// 100m of CPU on this node, and the autoscaling test offers load a few replicas serve.</summary>
    public const int TpsPerReplica = 50;

    /// <summary>The chart's runtime.scaleDownStabilizationSeconds here: long enough for starting replicas to become
    /// ready on this node, short enough for the autoscaling test to see the scale-down.</summary>
    public const int ScaleDownStabilizationSeconds = 60;

    public KubeNode Node { get; } = new();

    public Helm Helm { get; } = new();

    /// <summary>The chart's values for this node: our images, the node's S3, requests a 2-core node can place.</summary>
    public IReadOnlyList<string> InstallValues =>
    [
        "--set", $"images.operator.repository={Node.Images["operator"].Repository},images.operator.tag={Node.Images["operator"].Tag}",
        "--set", $"images.trainer.repository={Node.Images["trainer"].Repository},images.trainer.tag={Node.Images["trainer"].Tag}",
        "--set", $"images.runtime.repository={Node.Images["runtime"].Repository},images.runtime.tag={Node.Images["runtime"].Tag}",
        "--set", $"s3.endpoint={Node.S3.Endpoint},s3.credentials.accessKeyId={Node.S3.AccessKey},s3.credentials.secretAccessKey={Node.S3.SecretKey}",
        "--set", $"s3.credentials.namespaces={{{Shop}}}",
        "--set", "operator.replicas=2,operator.leaderElection.enabled=true,operator.resources.requests.cpu=50m",
        "--set", "trainer.cpu=500m,trainer.memory=2Gi",
        "--set", $"runtime.resources.requests.cpu=100m,runtime.resources.requests.memory=128Mi,runtime.tpsPerReplica={TpsPerReplica},runtime.scaleDownStabilizationSeconds={ScaleDownStabilizationSeconds}",
        // The sample data lives outside the namespace's own prefix, as a shared bucket would.
        "--set-json", $"tenancy.allowedPrefixes={{\"{Shop}\":[\"s3://{DataBucket}/\",\"s3://{GettingStartedBucket}/\"]}}",
    ];

    public async Task InitializeAsync()
    {
        await Node.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = timeout.Token;

        await Node.S3.CreateBucketAsync("personalize", ct);
        await Node.S3.CreateBucketAsync(DataBucket, ct);
        using (var store = new MinioObjectStore(Node.S3.CreateClient()))
        {
            // The quickstart's data: 1,000 users, 500 items, 20,000 interactions, seeded.
            await GeneratedFiles.WriteToStoreAsync(new SyntheticDataGenerator(new GeneratorOptions()), store, S3Uri.Parse($"s3://{DataBucket}/"), ct);
        }

        await Node.Kube.KubectlAsync(["create", "namespace", SystemNamespace], null, ct);
        await Node.Kube.KubectlAsync(["create", "namespace", Shop], null, ct);
        (await HelmAsync(["install", Release, Helm.ChartDirectory, "--namespace", SystemNamespace, .. InstallValues], ct)).EnsureSuccess("helm install");
        await WaitForOperatorPodsAsync(2, ct);
        (await Node.Kube.KubectlAsync(["apply", "-n", Shop, "-f", Path.Combine(InfraPaths.RepoRoot, "examples", "quickstart")], null, ct))
            .EnsureSuccess("kubectl apply examples/quickstart");
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        Helm.Dispose();
    }

    public async Task<ProcessResult> HelmAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        await Helm.RunAsync(arguments, Node.Kube.KubeconfigPath, cancellationToken);

    public async Task<ProcessResult> KubectlAsync(CancellationToken cancellationToken, params string[] arguments) =>
        await Node.Kube.KubectlAsync(arguments, null, cancellationToken);

    /// <summary>A field of a resource by JSONPath (<c>{.status.phase}</c>), empty when absent or the resource is missing.</summary>
    public async Task<string> FieldAsync(string kind, string name, string jsonPath, CancellationToken cancellationToken, string @namespace = Shop)
    {
        var result = await Node.Kube.KubectlAsync(["get", kind, name, "-n", @namespace, "-o", $"jsonpath={jsonPath}"], null, cancellationToken);
        return result.Succeeded ? result.StdOut.Trim() : string.Empty;
    }

    /// <summary>Parsed <c>kubectl get -o json</c>.</summary>
    public async Task<JsonElement> GetJsonAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = (await Node.Kube.KubectlAsync(["get", .. arguments, "-o", "json"], null, cancellationToken)).EnsureSuccess("kubectl get");
        return JsonDocument.Parse(result.StdOut).RootElement.Clone();
    }

    /// <summary>Waits for a resource's phase; on timeout the failure shows its status and the namespace's pods, logs and events.</summary>
    public Task WaitForPhaseAsync(string kind, string name, string phase, TimeSpan timeout, CancellationToken cancellationToken, string @namespace = Shop) =>
        WaitAsync(
            async ct =>
            {
                var actual = await FieldAsync(kind, name, "{.status.phase}", ct, @namespace);
                if (actual == "CREATE FAILED" && phase != actual)
                {
                    throw new InvalidOperationException(
                        $"{kind} {name} failed: {await FieldAsync(kind, name, "{.status.failureReason}", ct, @namespace)}\n{await Node.DiagnosticsAsync(@namespace)}");
                }

                return actual == phase;
            },
            timeout,
            $"{kind} {name} {phase}",
            cancellationToken,
            @namespace);

    /// <summary><see cref="Wait.UntilAsync(Func{CancellationToken, Task{bool}}, TimeSpan, string, CancellationToken, TimeSpan?)"/>
    /// whose timeout carries the diagnostics of <paramref name="namespace"/> (pods, descriptions, logs, events).</summary>
    public async Task WaitAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken, string @namespace = Shop)
    {
        try
        {
            await Wait.UntilAsync(condition, timeout, what, cancellationToken, TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException ex)
        {
            var operatorSide = @namespace == SystemNamespace ? string.Empty : await Node.DiagnosticsAsync(SystemNamespace);
            throw new TimeoutException($"{ex.Message}\n{await Node.DiagnosticsAsync(@namespace)}\n{operatorSide}", ex);
        }
    }

    /// <summary>Waits until <paramref name="count"/> operator pods are ready, one of them the leader.</summary>
    public Task WaitForOperatorPodsAsync(int count, CancellationToken cancellationToken) =>
        WaitAsync(
            async ct => (await ReadyPodsAsync(SystemNamespace, OperatorSelector, ct)).Count == count,
            TimeSpan.FromMinutes(3),
            $"{count} ready operator pods",
            cancellationToken,
            SystemNamespace);

    /// <summary>The names of the ready pods matching a selector.</summary>
    public async Task<IReadOnlyList<string>> ReadyPodsAsync(string @namespace, string selector, CancellationToken cancellationToken)
    {
        var pods = await GetJsonAsync(cancellationToken, "pods", "-n", @namespace, "-l", selector);
        return pods.GetProperty("items").EnumerateArray()
            .Where(p => !p.GetProperty("metadata").TryGetProperty("deletionTimestamp", out _)
                && p.GetProperty("status").TryGetProperty("conditions", out var conditions)
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"))
            .Select(p => p.GetProperty("metadata").GetProperty("name").GetString()!)
            .ToList();
    }

    /// <summary>The bearer token a campaign's runtime requires (the operator keeps it in the Secret &lt;campaign&gt;-token).</summary>
    public async Task<string> TokenAsync(string campaign, CancellationToken cancellationToken) =>
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(await FieldAsync("secret", $"{campaign}-token", "{.data.token}", cancellationToken)));

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
}
