namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>
/// A de-duplicating, rate-limited work queue in the manner of client-go's: a key added while queued is merged,
/// a key added while being processed is queued again once <see cref="Done"/> is called (so one key is never
/// reconciled twice at once), failures back off exponentially per key, and keys can be re-added after a delay.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public WorkQueue(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
    }

    /// <summary>Keys waiting to be processed (not counting those in flight).</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    public void Add(TKey key)
    {
        lock (_gate)
        {
            if (_shutdown.IsCancellationRequested || !_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
        }

        _available.Release();
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed (merged with any add in between).</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        _ = AddLaterAsync(key, delay);
    }

    /// <summary>Adds the key after this key's next backoff step: base * 2^failures, capped.</summary>
    public void AddRateLimited(TKey key)
    {
        int failures;
        lock (_gate)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }

        AddAfter(key, BackoffFor(failures));
    }

    /// <summary>Forgets the key's failures: its next failure starts from the base delay again.</summary>
    public void Forget(TKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(TKey key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for the next key and marks it in flight; null when the queue shuts down.</summary>
    public async Task<TKey?> TakeAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        while (true)
        {
            try
            {
                await _available.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                return default;
            }

            lock (_gate)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    /// <summary>Ends processing of a key; if it was added meanwhile it goes back in the queue.</summary>
    public void Done(TKey key)
    {
        var requeue = false;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shutdown.IsCancellationRequested)
            {
                _queue.Enqueue(key);
                requeue = true;
            }
        }

        if (requeue)
        {
            _available.Release();
        }
    }

    public void ShutDown() => _shutdown.Cancel();

    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
        _available.Dispose();
    }

    /// <summary>The delay before a retry when the key has already failed this many times: base * 2^failures, capped.</summary>
    public TimeSpan BackoffFor(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures, 30));
        var delay = _baseDelay.TotalMilliseconds * factor;
        return delay >= _maxDelay.TotalMilliseconds ? _maxDelay : TimeSpan.FromMilliseconds(delay);
    }

    private async Task AddLaterAsync(TKey key, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        Add(key);
    }
}
