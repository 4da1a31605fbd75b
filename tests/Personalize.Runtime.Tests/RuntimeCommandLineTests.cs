using System.Diagnostics;
using Personalize.Jobs;
using Personalize.Testing;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>The real `personalize-runtime` command line as the operator starts it: help, typos and bad settings refused before serving.</summary>
public sealed class RuntimeCommandLineTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("runtime-cli-");

    [Fact]
    public async Task Help_ListsConfigAndUrls()
    {
        var help = await RunAsync([], "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--config <runtime.json> (REQUIRED)", help.StdOut, StringComparison.Ordinal);
        Assert.Contains("--urls", help.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMisspeltOption_FailsWithTheUsage()
    {
        var typo = await RunAsync([], "--confg", ConfigFile(), "--urls", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("'--confg' was not matched", typo.StdErr, StringComparison.Ordinal);
        Assert.Contains("--config", typo.StdErr, StringComparison.Ordinal);
        Assert.Contains("Usage:", typo.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadDrainPeriod_FailsAtStart_NamingTheSetting()
    {
        var bad = await RunAsync(
            new() { [Serving.ShutdownDrain.Setting] = "soon", ["PERSONALIZE_STORE_ROOT"] = _work.FullName },
            "--config", ConfigFile(), "--urls", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{Serving.ShutdownDrain.Setting} must be a number of seconds >= 0", bad.StdErr, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Delete(recursive: true);

    private string ConfigFile()
    {
        var file = Path.Combine(_work.FullName, "runtime.json");
        File.WriteAllText(file, JobJson.Serialize(new RuntimeConfig { CampaignArn = RuntimeServer.CampaignArn, ModelUri = "s3://bucket/group/model/", DatasetGroupUri = "s3://bucket/group/" }));
        return file;
    }

    private static async Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "personalize-runtime.dll") } };
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
