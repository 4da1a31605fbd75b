using k8s;
using Microsoft.Extensions.Logging;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Operator.Tests;

/// <summary>
/// One real kube-apiserver (+ etcd) with the CRDs installed and one real S3 server for the whole collection; each
/// test takes its own namespace, so tests share the servers without sharing state.
/// </summary>
public class OperatorEnvironment : IAsyncLifetime
{
    public OperatorEnvironment()
        : this(new KubeApiServer())
    {
    }

    protected OperatorEnvironment(KubeApiServer kube) => Kube = kube;

    public KubeApiServer Kube { get; }

    public S3Server S3 { get; } = new();

    public string Bucket { get; private set; } = string.Empty;

    public MinioObjectStore Objects { get; private set; } = null!;

    public ILoggerFactory Loggers { get; } = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Kube.InitializeAsync(), S3.InitializeAsync());
        Bucket = await S3.CreateBucketAsync();
        Objects = new MinioObjectStore(S3.CreateClient());
        var crds = Path.Combine(InfraPaths.RepoRoot, "config", "crd");
        var applied = await Kube.KubectlAsync("apply", "-f", crds);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var established = await Kube.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
        Assert.True(established.ExitCode == 0, established.ToString());

        // kube-apiserver 1.20 can crash on a custom resource written while it still rebuilds its OpenAPI document
        // for new CRDs; wait until that document describes every kind.
        await Wait.UntilAsync(
            async _ =>
            {
                var openApi = await Kube.KubectlAsync("get", "--raw", "/openapi/v2");
                return openApi.Succeeded && Api.ApiGroup.Kinds.All(k => openApi.StdOut.Contains($"io.personalize.v1alpha1.{Api.ApiGroup.EntityOf(k).Kind}\"", StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(60),
            "the API server's OpenAPI document to describe the Personalize kinds",
            interval: TimeSpan.FromMilliseconds(500));
    }

    public Kubernetes Client() => Kube.CreateClient();

    public async Task DisposeAsync()
    {
        Objects?.Dispose();
        Loggers.Dispose();
        await S3.DisposeAsync();
        await Kube.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OperatorCollection : ICollectionFixture<OperatorEnvironment>
{
    public const string Name = "operator on a real API server and S3";
}

/// <summary>
/// The same with kube-controller-manager: Jobs and ReplicaSets create real Pod objects (admitted and validated by the
/// API server, refused by quotas), which then stay Pending (no kubelet). Tests here must not fake Deployment status,
/// since the Deployment controller owns it.
/// </summary>
public sealed class OperatorEnvironmentWithControllers() : OperatorEnvironment(new KubeApiServerWithControllers());

[CollectionDefinition(Name)]
public sealed class OperatorWithControllersCollection : ICollectionFixture<OperatorEnvironmentWithControllers>
{
    public const string Name = "operator on a real API server with its controllers, and S3";
}
