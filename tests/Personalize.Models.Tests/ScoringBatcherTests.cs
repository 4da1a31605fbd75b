using Personalize.Models.Scoring;

namespace Personalize.Models.Tests;

/// <summary>Concurrent queries batched into one pass over the item table get exactly the answers they get alone.</summary>
public sealed class ScoringBatcherTests
{
    private const int Hidden = 64;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void QueriesQueuedDuringAPass_AreScoredTogether_WithTheirOwnAnswers(bool quantize)
    {
        var (items, bias) = Catalogue(rows: 5000);
        var scorer = new CatalogueScorer(items, bias, Hidden, quantize);
        var batcher = new ScoringBatcher(scorer);
        var queries = Enumerable.Range(0, 8).Select(i => Query(i, count: 25 + i, accept: i % 2 == 0 ? null : row => row % 3 != 0)).ToList();
        var alone = queries.Select(scorer.Score).ToList();

        // The first query's pass holds until the seven others are queued behind it, so they must share the next pass.
        var release = new ManualResetEventSlim();
        var first = queries[0] with { Accept = row => release.Wait(TimeSpan.FromSeconds(30)) };
        var results = new ScoredRows[8];
        var threads = new List<Thread> { new(() => results[0] = batcher.Score(first)) };
        threads[0].Start();
        Assert.True(SpinWait.SpinUntil(() => batcher.Scoring, TimeSpan.FromSeconds(30)), "the first pass did not start");
        for (var i = 1; i < 8; i++)
        {
            var index = i;
            threads.Add(new Thread(() => results[index] = batcher.Score(queries[index])));
            threads[i].Start();
        }

        Assert.True(SpinWait.SpinUntil(() => batcher.Queued == 7, TimeSpan.FromSeconds(30)), "seven queries did not queue");
        release.Set();
        threads.ForEach(t => t.Join());

        Assert.Equal((2L, 8L), batcher.Counts);
        for (var i = 0; i < 8; i++)
        {
            Same(alone[i], results[i]);
        }
    }

    [Fact]
    public void ManyThreads_GetTheAnswersTheyGetAlone()
    {
        var (items, bias) = Catalogue(rows: 3000);
        var scorer = new CatalogueScorer(items, bias, Hidden, quantize: true);
        var batcher = new ScoringBatcher(scorer);
        var queries = Enumerable.Range(0, 400).Select(i => Query(i, count: 10 + (i % 40), accept: null)).ToList();
        var alone = queries.Select(scorer.Score).ToList();

        var batched = new ScoredRows[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i => batched[i] = batcher.Score(queries[i]));

        for (var i = 0; i < queries.Count; i++)
        {
            Same(alone[i], batched[i]);
        }

        Assert.Equal(queries.Count, batcher.Counts.Queries);
    }

    [Fact]
    public void AFailedPass_FailsEveryQueryInIt_AndTheNextPassWorks()
    {
        var (items, bias) = Catalogue(rows: 100);
        var batcher = new ScoringBatcher(new CatalogueScorer(items, bias, Hidden, quantize: false));

        Assert.Throws<ArgumentException>(() => batcher.Score(new ScoringQuery(new float[Hidden + 1], 5, null)));
        Assert.Equal(5, batcher.Score(Query(1, 5, null)).Rows.Length);
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
