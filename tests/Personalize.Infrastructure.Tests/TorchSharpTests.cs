using System.Diagnostics;
using Personalize.Testing;
using TorchSharp;
using Xunit;

namespace Personalize.Infrastructure.Tests;

public sealed class TorchSharpTests
{
    [Fact]
    public void Matmul_RunsInTheTestHost()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        using var product = a.matmul(b);

        Assert.Equal(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void TestHost_RunsUnderTheCompatRunSettingsWhenNeeded()
    {
        // Guards TorchCompat.props: without it, the test above would fail to load the native shim.
        var actual = Environment.GetEnvironmentVariable(ChildEnvironment.LibraryPathVariable);
        if (TorchCompat.IsNeeded)
        {
            Assert.Equal(TorchCompat.LibraryPath, actual);
        }
    }

    [Fact]
    public async Task ApplyTo_StartsAChildOnTheCompatHost()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var startInfo = new ProcessStartInfo("dotnet") { ArgumentList = { "--list-runtimes" } };
        TorchCompat.ApplyTo(startInfo);

        var result = await ProcessRunner.RunAsync(startInfo, standardInput: null, timeout.Token);

        result.EnsureSuccess("dotnet --list-runtimes on the compat host");
        Assert.Contains("Microsoft.NETCore.App", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(TorchCompat.IsNeeded ? TorchCompat.HostPath : "dotnet", startInfo.FileName);
    }
}
