namespace Personalize.Testing;

/// <summary>
/// Where tests/infra/*.sh put the test tools: $PERSONALIZE_CACHE or ~/.cache/personalize-operator.
/// Each property checks the file exists and throws <see cref="InfraMissingException"/> otherwise.
/// </summary>
public static class InfraPaths
{
    public static string CacheDir
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("PERSONALIZE_CACHE");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            return Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "personalize-operator");
        }
    }

    public static string KubeApiServer => Require(Path.Combine(CacheDir, "kubernetes", "bin", "kube-apiserver"), "kube-apiserver");

    public static string KubeControllerManager =>
        Require(Path.Combine(CacheDir, "kubernetes", "bin", "kube-controller-manager"), "kube-controller-manager");

    /// <summary>A node component built by tests/infra/kubernetes.sh: kube-scheduler, kubelet, kube-proxy.</summary>
    public static string KubeTool(string name) => Require(Path.Combine(CacheDir, "kubernetes", "bin", name), name);

    /// <summary>Debian's etcd-server package; the fixtures start their own etcd per run.</summary>
    public static string Etcd => Require("/usr/bin/etcd", "etcd (apt package etcd-server)");

    public static string Kubectl => RequireOnPath("kubectl");

    public static string Node => RequireOnPath("node");

    public static string Helm => Require(Path.Combine(CacheDir, "bin", "helm"), "helm");

    /// <summary>The s3rver package folder (node_modules/s3rver), namespace-fixed by s3rver.sh.</summary>
    public static string S3rverPackage =>
        RequireDirectory(Path.Combine(CacheDir, "s3rver", "node_modules", "s3rver"), "s3rver");

    /// <summary>Debian's chromium package (tests/infra/chromium.sh), for pages rendered in a real browser.</summary>
    public static string Chromium => Require("/usr/bin/chromium", "chromium (tests/infra/chromium.sh)");

    public static string TorchCompatDir => Path.Combine(CacheDir, "torch-compat");

    /// <summary>The repository root (the folder holding tests/infra), found upward from the test binaries.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "tests", "infra", "install-all.sh")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No repository root above '{AppContext.BaseDirectory}'.");
        }
    }

    private static string Require(string path, string what) =>
        File.Exists(path) ? path : throw InfraMissingException.For(what, path);

    private static string RequireDirectory(string path, string what) =>
        Directory.Exists(path) ? path : throw InfraMissingException.For(what, path);

    private static string RequireOnPath(string name)
    {
        var pathVariable = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw InfraMissingException.For(name, "$PATH");
    }
}
