using System.Diagnostics;

namespace Personalize.Testing;

/// <summary>
/// A tiny shell loop that cleans up once the test host is gone: SIGKILLs a child, or deletes a temp
/// dir (etcd's lives in /dev/shm, i.e. RAM). ProcessExit hooks do not run when the host itself is
/// SIGKILLed (blame-hang, OOM), and PR_SET_PDEATHSIG is tied to the spawning thread, which .NET may
/// retire while the child still runs; polling the host pid is not.
/// </summary>
internal sealed class OrphanGuard : IDisposable
{
    private readonly Process? _watcher;

    private OrphanGuard(Process? watcher) => _watcher = watcher;

    public static OrphanGuard KillOnHostExit(int childPid) => Start($"kill -9 {childPid} 2>/dev/null");

    public static OrphanGuard DeleteOnHostExit(string directory) =>
        Start($"sleep 2; rm -rf '{directory.Replace("'", "'\\''", StringComparison.Ordinal)}'"); // after the kill guards

    private static OrphanGuard Start(string onHostExit)
    {
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(
            $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {onHostExit}");
        ChildEnvironment.RemoveLibraryPath(startInfo);
        return new OrphanGuard(Process.Start(startInfo));
    }

    public void Dispose()
    {
        if (_watcher is null)
        {
            return;
        }

        ProcessRunner.KillQuietly(_watcher);
        _watcher.Dispose();
    }
}
