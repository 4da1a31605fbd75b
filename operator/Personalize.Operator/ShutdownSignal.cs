using System.Runtime.InteropServices;

namespace Personalize.Operator;

/// <summary>
/// A token cancelled by SIGTERM (pod deletion) or Ctrl-C, so both start the same graceful stop: in-flight work
/// finishes, children are stopped, the lease is let go.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration sigterm;

    public ShutdownSignal()
    {
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    public CancellationToken Token => stop.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        sigterm.Dispose();
        stop.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        stop.Cancel();
    }
}
