using System.Diagnostics;
using Personalize.Jobs;
using Personalize.Testing;

namespace Personalize.Runtime.Tests;

/// <summary>The built `personalize-runtime` started as its own process, as the operator starts it, so it can be killed.</summary>
public sealed class RuntimeProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;
    private readonly string _configFile;

    private RuntimeProcess(ChildProcess child, string configFile, Uri baseAddress)
    {
        _child = child;
        _configFile = configFile;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<RuntimeProcess> StartAsync(S3Server s3, RuntimeConfig config)
    {
        var configFile = Path.Combine(Path.GetTempPath(), $"runtime-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(configFile, JobJson.Serialize(config));
        var port = FreePort.Next();
        var startInfo = new ProcessStartInfo("dotnet");
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "personalize-runtime.dll"));
        foreach (var argument in new[] { "--config", configFile, "--urls", $"http://127.0.0.1:{port}" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in RuntimeServer.StoreEnvironment(s3))
        {
            startInfo.Environment[name] = value;
        }

        var child = ChildProcess.Start(startInfo, "personalize-runtime");
        var process = new RuntimeProcess(child, configFile, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = process.BaseAddress };
        await Wait.UntilAsync(
            async ct =>
            {
                child.ThrowIfExited();
                return (await client.GetAsync("/readyz", ct)).IsSuccessStatusCode;
            },
            TimeSpan.FromSeconds(60),
            "the runtime process to turn ready");
        return process;
    }

    /// <summary>SIGKILL: no shutdown hooks run, as when a node dies.</summary>
    public void Kill() => _child.Kill();

    public string Output => _child.OutputTail();

    public async ValueTask DisposeAsync()
    {
        await _child.DisposeAsync();
        File.Delete(_configFile);
    }
}
