using System.Diagnostics;

namespace Personalize.Testing;

/// <summary>
/// A long-running child (a server) whose output is kept for diagnostics. It is killed, with its
/// process tree, on dispose, when the test host exits normally, and by <see cref="OrphanGuard"/>
/// when the test host is killed outright (e.g. by the blame-hang timeout).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int MaxLines = 2000;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly Lock _linesGate = new();
    private OrphanGuard? _guard;

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/> (e.g. after a graceful stop by signal).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>stdout and stderr interleaved, last 2000 lines.</summary>
    public string Output
    {
        get
        {
            lock (_linesGate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string? name = null)
    {
        var startInfo = new ProcessStartInfo(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Start(startInfo, name);
    }

    /// <summary>Starts the child; LD_LIBRARY_PATH is stripped unless TorchCompat.ApplyTo set it.</summary>
    public static ChildProcess Start(ProcessStartInfo startInfo, string? name = null)
    {
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = true;
        ChildEnvironment.Sanitize(startInfo);

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name ?? Path.GetFileName(startInfo.FileName));
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start '{startInfo.FileName}'.");
        }

        child._guard = OrphanGuard.KillOnHostExit(process.Id);
        ProcessReaper.Track(child);
        // Servers must not read our stdin; closing it makes them see EOF if they try.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The last <paramref name="count"/> lines of output, for failure messages.</summary>
    public string OutputTail(int count = 40)
    {
        lock (_linesGate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> appears; fails fast if the child exits.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Wait.UntilAsync(
            async ct =>
            {
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }

                await ThrowIfExitedAsync(ct);
                return false;
            },
            timeout,
            $"'{text}' in the output of {Name}",
            cancellationToken);

    /// <summary>Throws <see cref="ChildProcessExitedException"/> at once when the child has exited; its
    /// last output lines may still be in flight: <see cref="ThrowIfExitedAsync"/> waits for them.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw ExitedException();
        }
    }

    /// <summary>Throws <see cref="ChildProcessExitedException"/> with the output tail when the child has
    /// exited (a server must not).</summary>
    public async Task ThrowIfExitedAsync(CancellationToken cancellationToken = default)
    {
        if (!_process.HasExited)
        {
            return;
        }

        // The exit can be seen before the last lines arrive; WaitForExitAsync also drains the pipes,
        // bounded because a surviving grandchild may hold them open.
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await _process.WaitForExitAsync(drain.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Report with what arrived so far.
        }

        throw ExitedException();
    }

    private ChildProcessExitedException ExitedException() =>
        new($"{Name} exited with code {_process.ExitCode}. Last output:\n{OutputTail()}");

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) =>
        _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the process tree; safe to call more than once.</summary>
    public void Kill()
    {
        ProcessRunner.KillQuietly(_process);
        _guard?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A SIGKILLed process that is still not reaped after 10 s is the kernel's business now.
        }

        ProcessReaper.Untrack(this);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_linesGate)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString() => $"{Name} (pid {Id})";
}
