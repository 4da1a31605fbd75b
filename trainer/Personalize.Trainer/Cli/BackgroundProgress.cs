namespace Personalize.Trainer.Cli;

/// <summary>
/// Bridges a synchronous IProgress (called from a hot loop) to an asynchronous write: a report starts a write unless
/// one is still running, in which case it is dropped (the next one carries newer numbers). Never blocks the caller.
/// </summary>
public sealed class BackgroundProgress<T>(Func<T, Task> write) : IProgress<T>
{
    private readonly Lock _gate = new();
    private Task _pending = Task.CompletedTask;

    public void Report(T value)
    {
        lock (_gate)
        {
            if (_pending.IsCompleted)
            {
                _pending = Task.Run(() => write(value));
            }
        }
    }

    /// <summary>Waits for the write in flight, if any (its failure is surfaced here).</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _pending;
        }
    }
}
