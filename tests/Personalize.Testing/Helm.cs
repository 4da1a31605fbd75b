using System.Diagnostics;

namespace Personalize.Testing;

/// <summary>
/// Runs the helm of tests/infra against the chart, with its cache/config/data homes in a private
/// temporary folder so tests never read or write the user's Helm state.
/// </summary>
public sealed class Helm : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("personalize-helm-");

    public static string ChartDirectory => Path.Combine(InfraPaths.RepoRoot, "charts", "personalize-operator");

    /// <summary>Values every render needs: the chart refuses to guess S3 credentials.</summary>
    public static IReadOnlyList<string> CredentialValues { get; } =
        ["--set", "s3.credentials.accessKeyId=test-key", "--set", "s3.credentials.secretAccessKey=test-secret"];

    public async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? kubeconfig = null, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(InfraPaths.Helm);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["HELM_CACHE_HOME"] = Path.Combine(_home.FullName, "cache");
        startInfo.Environment["HELM_CONFIG_HOME"] = Path.Combine(_home.FullName, "config");
        startInfo.Environment["HELM_DATA_HOME"] = Path.Combine(_home.FullName, "data");
        startInfo.Environment["KUBECONFIG"] = kubeconfig ?? Path.Combine(_home.FullName, "no-cluster");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        return await ProcessRunner.RunAsync(startInfo, standardInput: null, timeout.Token);
    }

    /// <summary>`helm template` of the chart (or a copy of it) with the given extra arguments; throws on failure.</summary>
    public async Task<string> TemplateAsync(
        IEnumerable<string> extraArguments, string @namespace = "personalize-system", string releaseName = "personalize-operator")
    {
        var result = await RunAsync(["template", releaseName, ChartDirectory, "--namespace", @namespace, .. extraArguments]);
        return result.EnsureSuccess("helm template").StdOut;
    }

    /// <summary>A private copy of the chart, to stand in for its next version.</summary>
    public string CopyChart()
    {
        var target = Path.Combine(_home.FullName, "chart-copy-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.GetFiles(ChartDirectory, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(ChartDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    public void Dispose() => _home.Delete(recursive: true);
}
