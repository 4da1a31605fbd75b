namespace Personalize.Models.Scoring;

/// <summary>
/// Batches concurrent queries into one pass over the item table (flat combining). A query that finds no pass running
/// scores at once, alone, on its caller's thread: no waiting when the replica is idle. Queries that arrive during a
/// pass wait for it to end, then the next pass scores every waiting query (up to <see cref="MaxBatch"/>) together.
/// The window adapts to the load: it is the length of the pass in progress, so a query waits at most about two passes
/// while the queue is shorter than a batch. A waiting query holds no thread (it awaits its pass's completion), so the
/// thread pool stays at its own size under load, and a query whose request is aborted while it waits leaves the queue.
/// </summary>
public sealed class ScoringBatcher(CatalogueScorer scorer)
{
    /// <summary>Queries per pass: enough to move from memory-bound to compute-bound, few enough to bound one pass's time.</summary>
    public const int MaxBatch = 32;

    private readonly object _gate = new();
    private readonly List<Pending> _waiting = [];
    private bool _scoring;
    private (long Passes, long Queries) _counts;

    /// <summary>How many passes and queries were scored; queries / passes is the mean batch size.</summary>
    public (long Passes, long Queries) Counts
    {
        get
        {
            lock (_gate)
            {
                return _counts;
            }
        }
    }

    /// <summary>True while a pass runs.</summary>
    public bool Scoring
    {
        get
        {
            lock (_gate)
            {
                return _scoring;
            }
        }
    }

    /// <summary>Queries waiting for the next pass.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// The query's rows: at once when no pass runs, otherwise when the next pass that takes it ends. Cancelling
    /// <paramref name="cancellationToken"/> withdraws a query still waiting; one already in a pass gets its answer.
    /// </summary>
    public ValueTask<ScoredRows> ScoreAsync(ScoringQuery query, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ScoredRows>(cancellationToken);
        }

        lock (_gate)
        {
            if (_scoring)
            {
                var pending = new Pending(query);
                _waiting.Add(pending);
                if (cancellationToken.CanBeCanceled)
                {
                    pending.Registration = cancellationToken.Register(() => Withdraw(pending, cancellationToken));
                }

                return new ValueTask<ScoredRows>(pending.Completion.Task);
            }

            _scoring = true;
            _counts = (_counts.Passes + 1, _counts.Queries + 1);
        }

        try
        {
            return new ValueTask<ScoredRows>(scorer.Score([query])[0]);
        }
        finally
        {
            // Queries that came during this pass are scored by the pool, so this caller answers without waiting for them.
            if (NextBatch() is { } batch)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Batcher.ScorePasses(state.Batch), (Batcher: this, Batch: batch), preferLocal: false);
            }
        }
    }

    /// <summary>Scores batches until no query waits; every query of a batch gets its rows, or the pass's exception.</summary>
    private void ScorePasses(List<Pending> batch)
    {
        for (List<Pending>? next = batch; next is not null; next = NextBatch())
        {
            try
            {
                var results = scorer.Score(next.Select(p => p.Query).ToList());
                for (var i = 0; i < next.Count; i++)
                {
                    next[i].Registration.Unregister();
                    next[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var pending in next)
                {
                    pending.Registration.Unregister();
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    /// <summary>The longest-waiting queries for the next pass (counted as scored), or null, ending the run of passes, when none waits.</summary>
    private List<Pending>? NextBatch()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _scoring = false;
                return null;
            }

            var batch = _waiting.GetRange(0, Math.Min(_waiting.Count, MaxBatch));
            _waiting.RemoveRange(0, batch.Count);
            _counts = (_counts.Passes + 1, _counts.Queries + batch.Count);
            return batch;
        }
    }

    private void Withdraw(Pending pending, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_waiting.Remove(pending))
            {
                // Already in a pass: it gets its rows.
                return;
            }
        }

        pending.Completion.TrySetCanceled(cancellationToken);
    }

    private sealed class Pending(ScoringQuery query)
    {
        public ScoringQuery Query { get; } = query;

        /// <summary>Completed by the pass; continuations run on the pool, not on the thread scoring the next pass.</summary>
        public TaskCompletionSource<ScoredRows> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
