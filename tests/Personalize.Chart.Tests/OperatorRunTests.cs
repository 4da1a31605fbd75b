using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// `personalize run` as the chart's Deployment runs it, against a real API server: one application whose container
/// holds the operator, with leader election, /healthz, /readyz and /metrics on the settings' port, JSON logs, and
/// SIGTERM's graceful stop.
/// </summary>
public sealed class OperatorRunTests(KubeApiServer kube) : IClassFixture<KubeApiServer>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("operator-run-");

    [Fact]
    public async Task Run_LeadsAndServesItsEndpoints_AndStopsOnSigterm()
    {
        var crds = Path.Combine(InfraPaths.RepoRoot, "config", "crd");
        (await kube.KubectlAsync("apply", "-f", crds)).EnsureSuccess("kubectl apply config/crd");
        (await kube.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "-f", crds)).EnsureSuccess("CRDs established");
        var ns = await kube.CreateNamespaceAsync("run");
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _work.FullName };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "personalize.dll"), "run", $"--watch-namespaces={ns}", $"--pod-namespace={ns}", $"--metrics-port={port}", "--pod-name=operator-0" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KUBECONFIG"] = kube.KubeconfigPath;
        start.Environment["PERSONALIZE_STORE_ROOT"] = _work.FullName;
        await using var run = ChildProcess.Start(start, "personalize run");
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

        await Wait.UntilAsync(
            async t =>
            {
                run.ThrowIfExited();
                return await GetAsync(http, $"{url}/readyz", t) == "ready (leader)";
            },
            TimeSpan.FromSeconds(60),
            "personalize run to lead and be ready");
        Assert.Equal("ok", await http.GetStringAsync($"{url}/healthz"));
        Assert.Contains("personalize_operator_leader 1", await http.GetStringAsync($"{url}/metrics"), StringComparison.Ordinal);

        (await ProcessRunner.RunAsync("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])).EnsureSuccess("kill -TERM");
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await run.WaitForExitAsync(deadline.Token);
        }

        Assert.True(run.ExitCode == 0, run.OutputTail());
        var logs = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Contains(logs, log => log["Message"]!.GetValue<string>() == "Controllers stopped");
        Assert.DoesNotContain(logs, log => log["Category"]!.GetValue<string>().StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    public void Dispose() => _work.Delete(recursive: true);

    private static async Task<string?> GetAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetStringAsync(url, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
