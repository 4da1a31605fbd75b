using System.Diagnostics;
using Personalize.Testing;
using Xunit;

namespace Personalize.Chart.Tests;

/// <summary>
/// The real `personalize` command line as users and the chart type it: every verb's help, misspelt options and bad
/// values refused with the option's name before anything starts (no cluster is needed for any of these).
/// </summary>
public sealed class OperatorCommandLineTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("personalize-cli-");

    [Theory]
    [InlineData("run", "--trainer-image")]
    [InlineData("local", "--api-port")]
    [InlineData("report", "--namespace")]
    [InlineData("gateway", "--port")]
    [InlineData("crds", "output-directory")]
    [InlineData("docs", "--log-format")]
    public async Task EachVerbsHelp_ListsItsOptions(string verb, string option)
    {
        var help = await RunAsync([], verb, "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains($"personalize {verb}", help.StdOut, StringComparison.Ordinal);
        Assert.Contains(option, help.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--trainer-imag=repo/trainer:1", null)]
    [InlineData("--leader-elect", "Did you mean one of the following?\n--leader-election")]
    public async Task Run_WithAMisspeltSetting_FailsWithTheUsage(string typo, string? suggested)
    {
        var result = await RunAsync([], "run", typo);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Unrecognized command or argument '{typo}'", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(suggested ?? "Usage:", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("Usage:", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_WithAMisspeltOption_FailsWithTheUsage_AndCreatesNoState()
    {
        var manifests = _work.CreateSubdirectory("manifests").FullName;
        var result = await RunAsync([], "local", manifests, "--stat", Path.Combine(_work.FullName, "state"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--stat' was not matched", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("--state", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(["manifests"], _work.EnumerateDirectories().Select(d => d.Name));
    }

    [Fact]
    public async Task BadValues_FailAtStart_NamingTheOptionAndItsVariable()
    {
        var manifests = _work.CreateSubdirectory("manifests").FullName;
        var settings = new Dictionary<string, string> { ["KUBECONFIG"] = Path.Combine(_work.FullName, "no-kubeconfig") };

        var workers = await RunAsync(settings, "run", "--workers=many", "--leader-election=false", "--metrics-port=0");
        var pollFromEnvironment = await RunAsync(new(settings) { ["PERSONALIZE_POLL_SECONDS"] = "often" }, "run");
        var apiPort = await RunAsync(settings, "local", manifests, "--api-port", "70000");
        var missingFolder = await RunAsync(settings, "local", Path.Combine(_work.FullName, "nowhere"));
        var gatewayPort = await RunAsync(new(settings) { ["PERSONALIZE_GATEWAY_PORT"] = "http" }, "gateway");
        var watchNamespaces = await RunAsync(settings, "run", "--watch-namespaces=team-a,Team_B", "--leader-election=false", "--metrics-port=0");
        var gatewayNamespaces = await RunAsync(new(settings) { ["PERSONALIZE_WATCH_NAMESPACES"] = "team-a,Team_B" }, "gateway");
        var podLogFormat = await RunAsync(settings, "run", "--pod-log-format=text");
        var autoUpdate = await RunAsync(new(settings) { ["PERSONALIZE_AUTO_UPDATE_SECONDS"] = "0" }, "run");

        Assert.All(new[] { workers, pollFromEnvironment, apiPort, missingFolder, gatewayPort, watchNamespaces, gatewayNamespaces, podLogFormat, autoUpdate }, result => Assert.Equal(2, result.ExitCode));
        Assert.Contains("--workers (PERSONALIZE_WORKERS) \"many\"", workers.StdErr, StringComparison.Ordinal);
        Assert.Contains("--poll-seconds (PERSONALIZE_POLL_SECONDS) \"often\"", pollFromEnvironment.StdErr, StringComparison.Ordinal);
        Assert.Contains("--api-port (PERSONALIZE_API_PORT) must be a port number", apiPort.StdErr, StringComparison.Ordinal);
        Assert.Contains("<manifest-folder>: the manifest folder does not exist", missingFolder.StdErr, StringComparison.Ordinal);
        Assert.Contains("--port (PERSONALIZE_GATEWAY_PORT) must be a port number", gatewayPort.StdErr, StringComparison.Ordinal);
        Assert.Contains("--watch-namespaces (PERSONALIZE_WATCH_NAMESPACES) \"team-a,Team_B\": PERSONALIZE_WATCH_NAMESPACES: \"Team_B\" is not a namespace name", watchNamespaces.StdErr, StringComparison.Ordinal);
        Assert.Contains("PERSONALIZE_WATCH_NAMESPACES must be namespace names separated by commas", gatewayNamespaces.StdErr, StringComparison.Ordinal);
        Assert.Contains("--pod-log-format (PERSONALIZE_POD_LOG_FORMAT) \"text\": must be simple or json", podLogFormat.StdErr, StringComparison.Ordinal);
        Assert.Contains("--auto-update-seconds (PERSONALIZE_AUTO_UPDATE_SECONDS) \"0\": must be more than 0 seconds", autoUpdate.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(manifests + "-state"));
    }

    public void Dispose() => _work.Delete(recursive: true);

    private async Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _work.FullName };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "personalize.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await ProcessRunner.RunAsync(start, standardInput: null, timeout.Token);
    }
}
