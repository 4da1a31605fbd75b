using Personalize.Models.Scoring;

namespace Personalize.Models.Tests;

/// <summary>Concurrent queries batched into one pass over the item table get exactly the answers they get alone.</summary>
public sealed class ScoringBatcherTests
{
    private const int Hidden = 64;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QueriesQueuedDuringAPass_AreScoredTogether_WithTheirOwnAnswers(bool quantize)
    {
        var (items, bias) = Catalogue(rows: 5000);
        var scorer = new CatalogueScorer(items, bias, Hidden, quantize);
        var batcher = new ScoringBatcher(scorer);
        var queries = Enumerable.Range(0, 8).Select(i => Query(i, count: 25 + i, accept: i % 2 == 0 ? null : row => row % 3 != 0)).ToList();
        var alone = queries.Select(scorer.Score).ToList();

        // The first query's pass holds until the seven others are queued behind it, so they must share the next pass.
        using var release = new ManualResetEventSlim();
        var first = StartHeldPass(batcher, queries[0], release);
        var others = queries.Skip(1).Select(q => batcher.ScoreAsync(q).AsTask()).ToList();

        Assert.Equal(7, batcher.Queued);
        release.Set();
        var results = await Task.WhenAll([first, .. others]);

        Assert.Equal((2L, 8L), batcher.Counts);
        for (var i = 0; i < 8; i++)
        {
            Same(alone[i], results[i]);
        }
    }

    [Fact]
    public async Task WaitingQueries_HoldNoThread_SoFarMoreThanThePoolsThreadsWaitAndAreAnsweredInFullBatches()
    {
        var (items, bias) = Catalogue(rows: 2000);
        var scorer = new CatalogueScorer(items, bias, Hidden, quantize: false);
        var batcher = new ScoringBatcher(scorer);
        var queries = Enumerable.Range(0, 1 + (ScoringBatcher.MaxBatch * 20)).Select(i => Query(i, count: 10, accept: null)).ToList();
        var alone = queries.Select(scorer.Score).ToList();

        using var release = new ManualResetEventSlim();
        var first = StartHeldPass(batcher, queries[0], release);
        // One thread queues all of them: each call returns at once, waiting without a thread of its own.
        var waiting = queries.Skip(1).Select(q => batcher.ScoreAsync(q).AsTask()).ToList();

        Assert.Equal(waiting.Count, batcher.Queued);
        Assert.True(waiting.Count > ThreadPool.ThreadCount, $"{waiting.Count} waiting queries, {ThreadPool.ThreadCount} pool threads");
        Assert.DoesNotContain(waiting, t => t.IsCompleted);
        release.Set();
        var results = await Task.WhenAll([first, .. waiting]);

        Assert.Equal((21L, (long)queries.Count), batcher.Counts);
        for (var i = 0; i < queries.Count; i++)
        {
            Same(alone[i], results[i]);
        }
    }

    [Fact]
    public async Task AQueryCancelledWhileWaiting_LeavesTheQueue_AndTheOthersAreAnswered()
    {
        var (items, bias) = Catalogue(rows: 1000);
        var scorer = new CatalogueScorer(items, bias, Hidden, quantize: false);
        var batcher = new ScoringBatcher(scorer);
        using var release = new ManualResetEventSlim();
        var first = StartHeldPass(batcher, Query(0, 5, null), release);
        using var abort = new CancellationTokenSource();
        var withdrawn = batcher.ScoreAsync(Query(1, 5, null), abort.Token).AsTask();
        var kept = batcher.ScoreAsync(Query(2, 5, null)).AsTask();

        await abort.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn);
        Assert.Equal(1, batcher.Queued);
        release.Set();
        Same(scorer.Score(Query(2, 5, null)), await kept);
        await first;
        Assert.Equal((2L, 2L), batcher.Counts);
    }

    [Fact]
    public async Task ManyConcurrentCallers_GetTheAnswersTheyGetAlone()
    {
        var (items, bias) = Catalogue(rows: 3000);
        var scorer = new CatalogueScorer(items, bias, Hidden, quantize: true);
        var batcher = new ScoringBatcher(scorer);
        var queries = Enumerable.Range(0, 400).Select(i => Query(i, count: 10 + (i % 40), accept: null)).ToList();
        var alone = queries.Select(scorer.Score).ToList();

        var batched = await Task.WhenAll(queries.Select(q => Task.Run(() => batcher.ScoreAsync(q).AsTask())));

        for (var i = 0; i < queries.Count; i++)
        {
            Same(alone[i], batched[i]);
        }

        Assert.Equal(queries.Count, batcher.Counts.Queries);
    }

    [Fact]
    public async Task AFailedPass_FailsEveryQueryInIt_AndTheNextPassWorks()
    {
        var (items, bias) = Catalogue(rows: 100);
        var batcher = new ScoringBatcher(new CatalogueScorer(items, bias, Hidden, quantize: false));

        await Assert.ThrowsAsync<ArgumentException>(() => batcher.ScoreAsync(new ScoringQuery(new float[Hidden + 1], 5, null)).AsTask());
        Assert.Equal(5, (await batcher.ScoreAsync(Query(1, 5, null))).Rows.Length);

        // A failing query in a batched pass fails the queries scored with it, and the pass after it works.
        using var release = new ManualResetEventSlim();
        var first = StartHeldPass(batcher, Query(2, 5, null), release);
        var failing = batcher.ScoreAsync(new ScoringQuery(new float[Hidden + 1], 5, null)).AsTask();
        var sharing = batcher.ScoreAsync(Query(3, 5, null)).AsTask();
        release.Set();

        await first;
        await Assert.ThrowsAsync<ArgumentException>(() => failing);
        await Assert.ThrowsAsync<ArgumentException>(() => sharing);
        Assert.Equal(5, (await batcher.ScoreAsync(Query(4, 5, null))).Rows.Length);
    }

    /// <summary>Starts a pass, on a thread of its own, that holds inside its first candidate test until <paramref name="release"/> is set.</summary>
    private static Task<ScoredRows> StartHeldPass(ScoringBatcher batcher, ScoringQuery query, ManualResetEventSlim release)
    {
        var held = query with { Accept = row => release.Wait(TimeSpan.FromSeconds(30)) };
        var pass = Task.Factory.StartNew(() => batcher.ScoreAsync(held).AsTask(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(SpinWait.SpinUntil(() => batcher.Scoring, TimeSpan.FromSeconds(30)), "the first pass did not start");
        return pass;
    }

    private static void Same(ScoredRows expected, ScoredRows actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Logits, actual.Logits);
        Assert.Equal(expected.Max, actual.Max);
        Assert.Equal(expected.Sum, actual.Sum);
    }

    private static ScoringQuery Query(int seed, int count, Func<int, bool>? accept)
    {
        var random = new Random(seed);
        return new ScoringQuery(Enumerable.Range(0, Hidden).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), count, accept);
    }

    private static (float[] Items, float[] Bias) Catalogue(int rows)
    {
        var random = new Random(rows);
        return (Enumerable.Range(0, rows * Hidden).Select(_ => (float)((random.NextDouble() * 2) - 1) * 0.2f).ToArray(),
            Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray());
    }
}
