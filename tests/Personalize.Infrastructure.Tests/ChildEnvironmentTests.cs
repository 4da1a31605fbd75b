using Personalize.Testing;
using Xunit;

namespace Personalize.Infrastructure.Tests;

public sealed class ChildEnvironmentTests
{
    [Fact]
    public async Task ProcessRunner_NeverPassesLdLibraryPathToChildren()
    {
        // Under the compat host this process has Debian 13's libc on LD_LIBRARY_PATH; sh would crash with it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await ProcessRunner.RunAsync(
            "/bin/sh", ["-c", "echo \"${LD_LIBRARY_PATH-unset}\""], timeout.Token);

        result.EnsureSuccess();
        Assert.Equal("unset", result.StdOut.Trim());
    }

    [Fact]
    public async Task ChildProcess_NeverPassesLdLibraryPathToChildren()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var child = ChildProcess.Start(
            "/bin/sh", ["-c", "echo \"library path: ${LD_LIBRARY_PATH-unset}\"; exec sleep 60"]);

        await child.WaitForOutputAsync("library path: unset", TimeSpan.FromSeconds(10), timeout.Token);
    }

    [Fact]
    public async Task Wait_FailsFastWhenAServerExits()
    {
        await using var child = ChildProcess.Start("/bin/sh", ["-c", "echo boom; exit 3"]);

        var error = await Assert.ThrowsAsync<ChildProcessExitedException>(
            () => child.WaitForOutputAsync("never printed", TimeSpan.FromSeconds(30)));
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }
}
