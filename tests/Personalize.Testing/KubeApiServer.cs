using System.Globalization;
using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Xunit;

namespace Personalize.Testing;

/// <summary>
/// A real Kubernetes control plane for tests: etcd + kube-apiserver v1.20 on free loopback ports
/// (RBAC on, static admin token in system:masters), optionally kube-controller-manager for real
/// Deployment/ReplicaSet/Job/GC controllers. No kubelet: pods stay Pending. Share one per test
/// assembly through an xunit collection fixture; isolate tests with <see cref="CreateNamespaceAsync"/>.
/// </summary>
public class KubeApiServer : IAsyncLifetime, IAsyncDisposable
{
    // A deadline, not a measure: etcd and the apiserver start in seconds alone, but several test assemblies start
    // theirs together with the suite's builds on two cores, and one took 41 s from etcd connection to serving.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan KubectlTimeout = TimeSpan.FromSeconds(60);
    private readonly bool _withControllerManager;
    private readonly ControlPlaneNetwork _network;
    private readonly string _adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private DirectoryInfo? _workDir;
    private OrphanGuard? _workDirGuard;
    private ChildProcess? _etcd;
    private ChildProcess? _apiServer;
    private ChildProcess? _controllerManager;

    public KubeApiServer()
        : this(withControllerManager: false)
    {
    }

    /// <summary>Use <see cref="KubeApiServerWithControllers"/> (xunit fixtures need one public constructor).</summary>
    protected KubeApiServer(bool withControllerManager)
        : this(withControllerManager, ControlPlaneNetwork.Loopback)
    {
    }

    /// <summary>A control plane on another address and Service range, for <see cref="KubeNode"/>.</summary>
    internal KubeApiServer(bool withControllerManager, ControlPlaneNetwork network)
    {
        _withControllerManager = withControllerManager;
        _network = network;
    }

    /// <summary>https://127.0.0.1:PORT of the API server (its bind address for a <see cref="KubeNode"/>).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>A kubeconfig for the admin user (system:masters); TLS verification skipped.</summary>
    public string KubeconfigPath { get; private set; } = string.Empty;

    public string AdminToken => _adminToken;

    public bool HasControllerManager => _controllerManager is not null;

    /// <summary>The processes, for diagnostics (their output tails) in failing tests.</summary>
    public IEnumerable<ChildProcess> Processes =>
        new[] { _etcd, _apiServer, _controllerManager }.OfType<ChildProcess>();

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // A half-started fixture must not leave servers or temp dirs behind.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout * 2);
        var ct = timeout.Token;
        // etcd fsyncs its WAL on every write; tmpfs makes that free and start-up fast.
        var tempRoot = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _workDir = Directory.CreateDirectory(Path.Combine(tempRoot, $"personalize-kube-{Guid.NewGuid():N}"));
        _workDirGuard = OrphanGuard.DeleteOnHostExit(_workDir.FullName);
        var files = new ControlPlaneFiles(_workDir.FullName);
        await files.WriteAsync(_adminToken, ct);

        _etcd = StartEtcd(files, out var etcdUrl);
        await WaitForHttpAsync($"{etcdUrl}/health", token: null, _etcd, ct);

        var port = FreePort.Next();
        Url = $"https://{_network.BindAddress}:{port.ToString(CultureInfo.InvariantCulture)}";
        _apiServer = ChildProcess.Start(
            InfraPaths.KubeApiServer, [.. ApiServerArguments(files, etcdUrl, port, _network), .. _network.ExtraApiServerArguments], "kube-apiserver");
        await WaitForHttpAsync($"{Url}/readyz", _adminToken, _apiServer, ct);

        KubeconfigPath = files.Kubeconfig;
        await File.WriteAllTextAsync(KubeconfigPath, Kubeconfig.Render(Url, _adminToken), ct);

        if (_withControllerManager)
        {
            _controllerManager = ChildProcess.Start(
                InfraPaths.KubeControllerManager, ControllerManagerArguments(files), "kube-controller-manager");
            using var client = CreateClient();
            // The service-account controllers running means the controllers are up.
            await WaitForDefaultServiceAccountAsync(client, "default", ct);
        }
    }

    /// <summary>A client authenticated as the admin (system:masters).</summary>
    public Kubernetes CreateClient() =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>A client that impersonates <paramref name="user"/> (with <paramref name="groups"/>),
    /// so RBAC rules are enforced as for that user.</summary>
    public Kubernetes CreateClientAs(string user, params string[] groups) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath), new ImpersonationHandler(user, groups));

    /// <summary>A client acting as a service account, e.g. to prove the operator's Role is enough.</summary>
    public Kubernetes CreateClientForServiceAccount(string @namespace, string name) =>
        CreateClientAs(
            $"system:serviceaccount:{@namespace}:{name}",
            "system:serviceaccounts",
            $"system:serviceaccounts:{@namespace}",
            "system:authenticated");

    /// <summary>Runs kubectl against this server (admin kubeconfig, no inherited LD_LIBRARY_PATH).</summary>
    public Task<ProcessResult> KubectlAsync(params string[] arguments) =>
        KubectlAsync(arguments, standardInput: null, CancellationToken.None);

    /// <summary>Runs kubectl with optional stdin (for <c>apply -f -</c>); 60 s at most.</summary>
    public async Task<ProcessResult> KubectlAsync(
        IEnumerable<string> arguments, string? standardInput, CancellationToken cancellationToken = default)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo(InfraPaths.Kubectl);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["KUBECONFIG"] = KubeconfigPath;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(KubectlTimeout);
        return await ProcessRunner.RunAsync(startInfo, standardInput, timeout.Token);
    }

    /// <summary>
    /// Creates a fresh uniquely named namespace. With the controller manager on, it also waits for
    /// the namespace's default service account and token, without which pods cannot be created.
    /// </summary>
    public async Task<string> CreateNamespaceAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 13)];
        using var client = CreateClient();
        await client.CoreV1.CreateNamespaceAsync(
            new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken);
        if (HasControllerManager)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await WaitForDefaultServiceAccountAsync(client, name, timeout.Token);
        }

        return name;
    }

    public async Task DisposeAsync()
    {
        // Reverse start order: clients of etcd first.
        foreach (var process in new[] { _controllerManager, _apiServer, _etcd })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        _controllerManager = _apiServer = _etcd = null;
        _workDir?.Delete(recursive: true);
        _workDir = null;
        _workDirGuard?.Dispose();
        _workDirGuard = null;
        GC.SuppressFinalize(this);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static ChildProcess StartEtcd(ControlPlaneFiles files, out string clientUrl)
    {
        var clientPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var peerUrl = $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        clientUrl = $"http://127.0.0.1:{clientPort}";
        return ChildProcess.Start(
            InfraPaths.Etcd,
            [
                "--name=default",
                $"--data-dir={files.EtcdData}",
                $"--listen-client-urls={clientUrl}",
                $"--advertise-client-urls={clientUrl}",
                $"--listen-peer-urls={peerUrl}",
                $"--initial-advertise-peer-urls={peerUrl}",
                $"--initial-cluster=default={peerUrl}",
                "--logger=zap",
                "--log-level=warn",
            ],
            "etcd");
    }

    /// <summary>The files of this control plane (certificates, keys, kubeconfig), for a node's components.</summary>
    internal ControlPlaneFiles Files => new(_workDir?.FullName ?? throw new InvalidOperationException("KubeApiServer is not started."));

    private static string[] ApiServerArguments(ControlPlaneFiles files, string etcdUrl, int port, ControlPlaneNetwork network) =>
    [
        $"--etcd-servers={etcdUrl}",
        $"--bind-address={network.BindAddress}",
        $"--advertise-address={network.BindAddress}",
        $"--secure-port={port.ToString(CultureInfo.InvariantCulture)}",
        "--insecure-port=0",
        // No --tls-cert-file: the server generates a self-signed pair into --cert-dir.
        $"--cert-dir={files.CertDir}",
        $"--token-auth-file={files.Tokens}",
        "--authorization-mode=RBAC",
        // 1.20 requires all three for the TokenRequest API.
        $"--service-account-key-file={files.ServiceAccountPublicKey}",
        $"--service-account-signing-key-file={files.ServiceAccountPrivateKey}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        $"--service-cluster-ip-range={network.ServiceRange}",
        "--allow-privileged=true",
        "--profiling=false",
    ];

    private static string[] ControllerManagerArguments(ControlPlaneFiles files) =>
    [
        $"--kubeconfig={files.Kubeconfig}",
        $"--service-account-private-key-file={files.ServiceAccountPrivateKey}",
        $"--root-ca-file={files.ServingCertificate}",
        "--use-service-account-credentials=false",
        "--controllers=*",
        "--leader-elect=false",
        // No serving endpoints: nothing scrapes them and fixed ports would collide.
        "--port=0",
        "--secure-port=0",
        "--profiling=false",
    ];

    private static async Task WaitForDefaultServiceAccountAsync(Kubernetes client, string @namespace, CancellationToken ct)
    {
        await Wait.UntilAsync(
            async token =>
            {
                var account = await client.CoreV1.ReadNamespacedServiceAccountAsync("default", @namespace, cancellationToken: token);
                return account.Secrets is { Count: > 0 };
            },
            StartTimeout,
            $"service account default (with token) in namespace {@namespace}",
            ct);
    }

    private static async Task WaitForHttpAsync(string url, string? token, ChildProcess process, CancellationToken ct)
    {
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        try
        {
            await Wait.UntilAsync(
                async t =>
                {
                    await process.ThrowIfExitedAsync(t);
                    try
                    {
                        using var response = await http.GetAsync(url, t);
                        return response.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                StartTimeout,
                url,
                ct);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Last output of {process.Name}:\n{process.OutputTail()}", ex);
        }
    }
}
