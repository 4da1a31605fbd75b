using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Xunit;

namespace Personalize.Testing;

/// <summary>
/// A real single-node Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, a kubelet
/// on containerd's CRI (runc, a CNI bridge) and kube-proxy, plus an S3 server the pods reach, with the product's
/// images (built by tests/infra/images.sh from this checkout's Dockerfiles) imported. Pods get addresses in a small
/// dedicated range on a bridge of their own; the API server and the S3 server listen on the bridge's address, so
/// pods reach them and nothing leaves the machine. One node per machine at a time (a lock file); everything it
/// started is stopped and removed on dispose. Needs root (it runs containers).
/// </summary>
public sealed class KubeNode : IAsyncLifetime, IAsyncDisposable
{
    public const string NodeName = "personalize-node";
    private const string Bridge = "persnode0";
    private const string PodRange = "10.213.0.0/24";
    private const string ServiceRange = "10.213.1.0/24";
    private const string PauseImage = "localhost/personalize/pause:1";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);
    private readonly List<ChildProcess> _processes = [];
    private FileStream? _lock;
    private DirectoryInfo? _workDir;
    private bool _bridgeCreated;
    private bool _proxyStarted;
    private string _containerdSocket = string.Empty;
    private ChildProcess? _containerd;
    private KubeApiServer? _kube;
    private S3Server? _s3;

    /// <summary>The bridge's address: the node's IP, where the API server and the S3 server listen.</summary>
    public static string NodeAddress => "10.213.0.1";

    public KubeApiServer Kube => _kube ?? throw new InvalidOperationException("KubeNode is not started.");

    /// <summary>An S3 server on <see cref="NodeAddress"/>: pods and the test host both reach <see cref="S3Server.Endpoint"/>.</summary>
    public S3Server S3 => _s3 ?? throw new InvalidOperationException("KubeNode is not started.");

    /// <summary>The product's images by component (operator, runtime, trainer): repository and tag.</summary>
    public IReadOnlyDictionary<string, (string Repository, string Tag)> Images { get; private set; } =
        new Dictionary<string, (string, string)>();

    public IEnumerable<ChildProcess> Processes => _processes.Concat(_kube?.Processes ?? []);

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var ct = timeout.Token;
        var nodeCache = Path.Combine(InfraPaths.CacheDir, "node");
        var pauseArchive = Path.Combine(nodeCache, "pause.tar");
        if (!File.Exists(pauseArchive))
        {
            throw InfraMissingException.For("the node (containerd, CNI, pause image: tests/infra/node.sh)", pauseArchive);
        }

        _lock = TakeLock(Path.Combine(nodeCache, "node.lock"));
        var (images, archives) = await ListImagesAsync(ct);
        Images = images;

        _workDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"personalize-node-{Guid.NewGuid():N}"[..30]));
        await CreateBridgeAsync(ct);
        await StartContainerdAsync(Path.Combine(nodeCache, "containerd"), ct);
        await ImportImagesAsync([(PauseImage, pauseArchive), .. archives], ct);

        _kube = new KubeApiServer(
            withControllerManager: true,
            new ControlPlaneNetwork(NodeAddress, ServiceRange, ["--kubelet-preferred-address-types=InternalIP"]));
        await _kube.InitializeAsync();
        var files = _kube.Files;

        _processes.Add(ChildProcess.Start(
            InfraPaths.KubeTool("kube-scheduler"),
            [$"--kubeconfig={files.Kubeconfig}", "--leader-elect=false", "--port=0", "--bind-address=127.0.0.1",
                $"--secure-port={FreePort.Next().ToString(CultureInfo.InvariantCulture)}", "--profiling=false"],
            "kube-scheduler"));
        _processes.Add(await StartKubeletAsync(files, ct));
        _proxyStarted = true;
        _processes.Add(ChildProcess.Start(
            InfraPaths.KubeTool("kube-proxy"),
            [$"--kubeconfig={files.Kubeconfig}", $"--hostname-override={NodeName}", "--proxy-mode=iptables",
                $"--cluster-cidr={PodRange}", "--masquerade-all", "--conntrack-max-per-core=0",
                $"--healthz-bind-address=127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}",
                $"--metrics-bind-address=127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}"],
            "kube-proxy"));
        await WaitForReadyNodeAsync(ct);

        _s3 = new S3Server("S3RVER", "S3RVER", NodeAddress);
        await _s3.InitializeAsync();
    }

    /// <summary>
    /// A <c>kubectl port-forward</c> from 127.0.0.1 to <paramref name="target"/> (e.g. <c>service/name</c>):
    /// how a client outside the pod network reaches it. Dispose the process to stop it.
    /// </summary>
    public async Task<(ChildProcess Process, int LocalPort)> PortForwardAsync(string @namespace, string target, int remotePort, CancellationToken cancellationToken)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo(InfraPaths.Kubectl);
        foreach (var argument in new[] { "port-forward", "-n", @namespace, "--address", "127.0.0.1", target, $":{remotePort.ToString(CultureInfo.InvariantCulture)}" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["KUBECONFIG"] = Kube.KubeconfigPath;
        var process = ChildProcess.Start(startInfo, $"port-forward {target}");
        const string marker = "Forwarding from 127.0.0.1:";
        try
        {
            await process.WaitForOutputAsync(marker, TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        var line = process.Output.Split('\n').First(l => l.StartsWith(marker, StringComparison.Ordinal));
        var port = int.Parse(line[marker.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
        return (process, port);
    }

    /// <summary>Gives an image of the node a second name (as a registry would serve one build under two tags).</summary>
    public async Task TagImageAsync(string source, string target, CancellationToken cancellationToken)
    {
        await Ctr(["images", "remove", target], cancellationToken);
        (await Ctr(["images", "tag", source, target], cancellationToken)).EnsureSuccess($"ctr images tag {source} {target}");
    }

    /// <summary>What a failing wait should show: the pods of a namespace, their descriptions, log tails and events.</summary>
    public async Task<string> DiagnosticsAsync(string @namespace, string? labelSelector = null)
    {
        string[] selector = labelSelector is null ? [] : ["-l", labelSelector];
        var text = new StringBuilder();
        async Task<string> Run(params string[] arguments)
        {
            var result = await Kube.KubectlAsync(arguments, standardInput: null);
            text.AppendLine(CultureInfo.InvariantCulture, $"$ kubectl {string.Join(' ', arguments)}").AppendLine(result.StdOut).AppendLine(result.StdErr);
            return result.StdOut;
        }

        await Run(["get", "pods,jobs,deployments,services,endpoints", "-o", "wide", "-n", @namespace, .. selector]);
        await Run(["describe", "pods", "-n", @namespace, .. selector]);
        var pods = await Kube.KubectlAsync(["get", "pods", "-n", @namespace, "-o", "name", .. selector], standardInput: null);
        foreach (var pod in pods.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Run("logs", "-n", @namespace, pod, "--all-containers", "--tail=40");
        }

        await Run("get", "events", "-n", @namespace, "--sort-by=.lastTimestamp");
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_kube is not null && _processes.Count > 0)
        {
            await StopPodsAsync();
        }

        // Reverse start order; then the node's leftovers: containers, iptables rules, the bridge, mounts.
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        _processes.Clear();
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
            _s3 = null;
        }

        if (_kube is not null)
        {
            await _kube.DisposeAsync();
            _kube = null;
        }

        if (_containerdSocket.Length > 0)
        {
            await RemoveContainersAsync(CancellationToken.None);
        }

        foreach (var process in _containerd is null ? [] : new[] { _containerd })
        {
            await process.DisposeAsync();
        }

        _containerd = null;
        if (_proxyStarted)
        {
            // kube-proxy's iptables chains outlive it.
            await RunQuietlyAsync(InfraPaths.KubeTool("kube-proxy"), ["--cleanup"]);
            _proxyStarted = false;
            // The kubelet's own chains (its firewall for marked packets and 127.0.0.0/8) outlive it too.
            await RunQuietlyAsync("iptables", ["-D", "INPUT", "-j", "KUBE-FIREWALL"]);
            await RunQuietlyAsync("iptables", ["-D", "OUTPUT", "-j", "KUBE-FIREWALL"]);
            foreach (var (table, chain) in new[] { ("filter", "KUBE-FIREWALL"), ("filter", "KUBE-KUBELET-CANARY"), ("filter", "KUBE-PROXY-CANARY"), ("nat", "KUBE-MARK-DROP"), ("nat", "KUBE-MARK-MASQ"), ("nat", "KUBE-KUBELET-CANARY"), ("nat", "KUBE-PROXY-CANARY") })
            {
                await RunQuietlyAsync("iptables", ["-t", table, "-F", chain]);
                await RunQuietlyAsync("iptables", ["-t", table, "-X", chain]);
            }
        }

        if (_bridgeCreated)
        {
            await RunQuietlyAsync("ip", ["link", "delete", Bridge]);
            _bridgeCreated = false;
        }

        if (_workDir is not null)
        {
            await UnmountUnderAsync(_workDir.FullName);
            _workDir.Delete(recursive: true);
            _workDir = null;
        }

        _lock?.Dispose();
        _lock = null;
        GC.SuppressFinalize(this);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static FileStream TakeLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"Another test run holds the node ({path}); one cluster runs per machine at a time.", ex);
        }
    }

    /// <summary>The images tests/infra/images.sh built for this checkout (it fails when one is missing).</summary>
    private static async Task<(Dictionary<string, (string Repository, string Tag)> Images, List<(string Image, string Archive)> Archives)> ListImagesAsync(CancellationToken ct)
    {
        var result = await ProcessRunner.RunAsync("bash", [Path.Combine(InfraPaths.RepoRoot, "tests", "infra", "images.sh"), "--list"], ct);
        if (!result.Succeeded)
        {
            throw new InfraMissingException($"The product's images are not built for this checkout: run bash tests/infra/images.sh\n{result.StdErr}");
        }

        var images = new Dictionary<string, (string Repository, string Tag)>();
        var archives = new List<(string Image, string Archive)>();
        foreach (var line in result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            var colon = fields[1].LastIndexOf(':');
            images[fields[0]] = (fields[1][..colon], fields[1][(colon + 1)..]);
            archives.Add((fields[1], fields[2]));
        }

        return (images, archives);
    }

    private async Task CreateBridgeAsync(CancellationToken ct)
    {
        // A bridge left by a run that was killed outright would hold the address.
        await RunQuietlyAsync("ip", ["link", "delete", Bridge]);
        (await ProcessRunner.RunAsync("ip", ["link", "add", Bridge, "type", "bridge"], ct)).EnsureSuccess("ip link add (the node needs root)");
        _bridgeCreated = true;
        (await ProcessRunner.RunAsync("ip", ["addr", "add", $"{NodeAddress}/24", "dev", Bridge], ct)).EnsureSuccess("ip addr add");
        (await ProcessRunner.RunAsync("ip", ["link", "set", Bridge, "up"], ct)).EnsureSuccess("ip link set up");
    }

    private async Task StartContainerdAsync(string root, CancellationToken ct)
    {
        var work = _workDir!.FullName;
        var cni = Directory.CreateDirectory(Path.Combine(work, "cni")).FullName;
        _containerdSocket = Path.Combine(work, "containerd.sock");
        // The image store (root) outlives the run, so images are imported once per build; the rest is per run.
        // Pods route everything via the node: Service addresses are translated there by kube-proxy, and with IP
        // forwarding off and no masquerading nothing goes further.
        await File.WriteAllTextAsync(Path.Combine(cni, "10-personalize.conflist"), $$"""
            {
              "cniVersion": "0.4.0",
              "name": "personalize",
              "plugins": [
                { "type": "bridge", "bridge": "{{Bridge}}", "isGateway": true, "ipMasq": false, "hairpinMode": true,
                  "ipam": { "type": "host-local", "ranges": [[{ "subnet": "{{PodRange}}", "gateway": "{{NodeAddress}}" }]],
                            "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "{{Path.Combine(work, "ipam")}}" } },
                { "type": "portmap", "capabilities": { "portMappings": true } }
              ]
            }
            """, ct);
        var config = Path.Combine(work, "containerd.toml");
        await File.WriteAllTextAsync(config, $$"""
            version = 2
            root = "{{root}}"
            state = "{{Path.Combine(work, "containerd-state")}}"
            disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp"]
            [grpc]
              address = "{{_containerdSocket}}"
            [ttrpc]
              address = "{{_containerdSocket}}.ttrpc"
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "{{PauseImage}}"
              # This machine refuses to lower oom_score_adj; without this runc fails every sandbox.
              restrict_oom_score_adj = true
              stream_server_address = "127.0.0.1"
              stream_server_port = "0"
              [plugins."io.containerd.grpc.v1.cri".containerd]
                snapshotter = "overlayfs"
                default_runtime_name = "runc"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                  runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "/usr/lib/cni"
                conf_dir = "{{cni}}"
            """, ct);
        _containerd = ChildProcess.Start("containerd", ["--config", config, "--log-level", "warn"], "containerd");
        await Wait.UntilAsync(
            async t =>
            {
                await _containerd.ThrowIfExitedAsync(t);
                return File.Exists(_containerdSocket) && (await Ctr(["version"], t)).Succeeded;
            },
            TimeSpan.FromSeconds(60),
            "containerd's socket",
            ct);
        // Containers of a run that was killed outright.
        await RemoveContainersAsync(ct);
    }

    private Task<ProcessResult> Ctr(IEnumerable<string> arguments, CancellationToken ct) =>
        ProcessRunner.RunAsync("ctr", ["--address", _containerdSocket, "--namespace", "k8s.io", .. arguments], ct);

    private async Task ImportImagesAsync(IEnumerable<(string Image, string Archive)> images, CancellationToken ct)
    {
        var present = (await Ctr(["images", "list", "--quiet"], ct)).EnsureSuccess("ctr images list").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var wanted = images.ToList();
        foreach (var (image, archive) in wanted.Where(i => !present.Contains(i.Image)))
        {
            (await Ctr(["images", "import", archive], ct)).EnsureSuccess($"ctr images import {archive}");
        }

        // Builds of older checkouts only take space.
        foreach (var stale in present.Where(p => p.StartsWith("ghcr.io/personalize-operator/", StringComparison.Ordinal) && wanted.All(w => w.Image != p)))
        {
            await Ctr(["images", "remove", stale], ct);
        }
    }

    private async Task<ChildProcess> StartKubeletAsync(ControlPlaneFiles files, CancellationToken ct)
    {
        var work = _workDir!.FullName;
        var config = Path.Combine(work, "kubelet.yaml");
        await File.WriteAllTextAsync(config, $$"""
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            address: {{NodeAddress}}
            port: {{FreePort.Next().ToString(CultureInfo.InvariantCulture)}}
            readOnlyPort: 0
            healthzBindAddress: 127.0.0.1
            healthzPort: {{FreePort.Next().ToString(CultureInfo.InvariantCulture)}}
            authentication:
              anonymous: {enabled: true}
              webhook: {enabled: false}
            authorization: {mode: AlwaysAllow}
            cgroupDriver: cgroupfs
            failSwapOn: false
            cgroupsPerQOS: false
            enforceNodeAllocatable: []
            clusterDomain: cluster.local
            maxPods: 40
            serializeImagePulls: false
            imageGCHighThresholdPercent: 100
            imageGCLowThresholdPercent: 99
            evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
            fileCheckFrequency: 0s
            nodeStatusUpdateFrequency: 5s
            """, ct);
        return ChildProcess.Start(
            InfraPaths.KubeTool("kubelet"),
            [
                $"--config={config}",
                $"--kubeconfig={files.Kubeconfig}",
                "--container-runtime=remote",
                $"--container-runtime-endpoint=unix://{_containerdSocket}",
                "--runtime-request-timeout=10m",
                $"--root-dir={Path.Combine(work, "kubelet")}",
                $"--cert-dir={Path.Combine(work, "kubelet-pki")}",
                $"--node-ip={NodeAddress}",
                $"--hostname-override={NodeName}",
                "--v=1",
            ],
            "kubelet");
    }

    private async Task WaitForReadyNodeAsync(CancellationToken ct)
    {
        using var client = Kube.CreateClient();
        try
        {
            await Wait.UntilAsync(
                async t =>
                {
                    foreach (var process in _processes)
                    {
                        await process.ThrowIfExitedAsync(t);
                    }

                    var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: t);
                    var node = nodes.Items.FirstOrDefault(n => n.Metadata.Name == NodeName);
                    return node?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true
                        && (node.Spec.Taints is null || node.Spec.Taints.All(taint => taint.Effect == "PreferNoSchedule"));
                },
                TimeSpan.FromMinutes(2),
                $"node {NodeName} Ready and untainted",
                ct);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{string.Join("\n", _processes.Select(p => $"--- {p.Name}:\n{p.OutputTail(30)}"))}", ex);
        }
    }

    /// <summary>Stops every pod through the kubelet, so sandboxes leave the CNI bridge and their mounts cleanly.</summary>
    private async Task StopPodsAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            using var client = Kube.CreateClient();
            var pods = await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: timeout.Token);
            foreach (var pod in pods.Items)
            {
                await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, gracePeriodSeconds: 0, cancellationToken: timeout.Token);
            }

            await Wait.UntilAsync(
                async t => (await Ctr(["tasks", "list", "--quiet"], t)).StdOut.Trim().Length == 0,
                TimeSpan.FromSeconds(60),
                "the node's containers to stop",
                timeout.Token);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            // RemoveContainersAsync kills what is left.
        }
    }

    private async Task RemoveContainersAsync(CancellationToken ct)
    {
        var tasks = (await Ctr(["tasks", "list", "--quiet"], ct)).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var task in tasks)
        {
            await Ctr(["tasks", "kill", "--signal", "SIGKILL", task], ct);
        }

        foreach (var task in tasks)
        {
            await Ctr(["tasks", "delete", "--force", task], ct);
        }

        foreach (var container in (await Ctr(["containers", "list", "--quiet"], ct)).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Ctr(["containers", "delete", container], ct);
        }
    }

    private static async Task UnmountUnderAsync(string directory)
    {
        var mounts = await File.ReadAllLinesAsync("/proc/self/mounts");
        foreach (var mountPoint in mounts.Select(m => m.Split(' ')[1]).Where(m => m.StartsWith(directory, StringComparison.Ordinal)).OrderByDescending(m => m.Length))
        {
            await RunQuietlyAsync("umount", ["--lazy", mountPoint]);
        }
    }

    private static async Task RunQuietlyAsync(string file, string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await ProcessRunner.RunAsync(file, arguments, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Best-effort cleanup.
        }
    }
}
