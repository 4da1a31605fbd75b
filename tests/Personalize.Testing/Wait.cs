namespace Personalize.Testing;

/// <summary>Polls a condition until it holds or a timeout passes: the async replacement for sleeps.</summary>
public static class Wait
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    public static Task UntilAsync(
        Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default) =>
        UntilAsync(_ => Task.FromResult(condition()), timeout, what, cancellationToken);

    /// <summary>
    /// Awaits <paramref name="condition"/> every 100 ms. Exceptions count as "not yet" and the last
    /// one is reported in the <see cref="TimeoutException"/>, which names <paramref name="what"/>;
    /// a <see cref="ChildProcessExitedException"/> ends the wait at once.
    /// </summary>
    public static async Task UntilAsync(
        Func<CancellationToken, Task<bool>> condition,
        TimeSpan timeout,
        string what,
        CancellationToken cancellationToken = default,
        TimeSpan? interval = null)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition(timeoutSource.Token))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not ChildProcessExitedException
                && (ex is not OperationCanceledException || !timeoutSource.IsCancellationRequested))
            {
                last = ex;
            }
            catch (OperationCanceledException)
            {
                // The timeout (or the caller) fired inside the condition: handled below.
            }

            try
            {
                await Task.Delay(interval ?? DefaultInterval, timeoutSource.Token);
            }
            catch (OperationCanceledException)
            {
                // Checked below: a caller's cancellation propagates, our own timeout becomes a TimeoutException.
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (timeoutSource.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for {what}.", last);
            }
        }
    }
}
