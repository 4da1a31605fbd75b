using System.Runtime.ExceptionServices;

namespace Personalize.Models.Scoring;

/// <summary>
/// Batches concurrent queries into one pass over the item table (flat combining). A query that finds no pass running
/// scores at once, alone: no waiting when the replica is idle. Queries that arrive during a pass wait for it to end,
/// then one of them scores every waiting query (up to <see cref="MaxBatch"/>) in the next pass. The window adapts
/// to the load: it is the length of the pass in progress, so a query waits at most about two passes while the queue
/// is shorter than a batch.
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

    public ScoredRows Score(ScoringQuery query)
    {
        var mine = new Pending(query);
        List<Pending> batch;
        lock (_gate)
        {
            _waiting.Add(mine);
            while (true)
            {
                if (mine.Done)
                {
                    return mine.Result ?? throw new InvalidOperationException("Scoring this query's batch failed.", mine.Error);
                }

                if (!_scoring)
                {
                    break;
                }

                Monitor.Wait(_gate);
            }

            // This thread scores the next pass: its own query and the longest-waiting others.
            _scoring = true;
            _waiting.Remove(mine);
            var others = Math.Min(_waiting.Count, MaxBatch - 1);
            batch = [mine, .. _waiting.GetRange(0, others)];
            _waiting.RemoveRange(0, others);
            _counts = (_counts.Passes + 1, _counts.Queries + batch.Count);
        }

        ScoredRows[]? results = null;
        Exception? error = null;
        try
        {
            results = scorer.Score(batch.Select(p => p.Query).ToList());
        }
        catch (Exception e)
        {
            error = e;
        }

        lock (_gate)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result = results?[i];
                batch[i].Error = error;
                batch[i].Done = true;
            }

            _scoring = false;
            Monitor.PulseAll(_gate);
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return mine.Result!;
    }

    private sealed class Pending(ScoringQuery query)
    {
        public ScoringQuery Query { get; } = query;

        public ScoredRows? Result { get; set; }

        public Exception? Error { get; set; }

        public bool Done { get; set; }
    }
}
