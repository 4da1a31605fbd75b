using Personalize.Models.Scoring;

namespace Personalize.Models.Tests;

/// <summary>
/// The ANN index on a planted catalogue (items around 200 topic vectors, users leaning to a few topics, as trained
/// embeddings cluster): its top 25 matches exact float32 scoring, reading a small part of the catalogue; filters
/// hold; and a deliberately weak index fails the recall gate and is not shipped.
/// </summary>
public sealed class AnnIndexTests
{
    private const int CatalogueSize = 20_000;
    private const int Hidden = 32;
    private const int Topics = 200;

    private static readonly Lazy<Planted> Catalogue = new(() => Planted.Create(new Random(5)));

    [Fact]
    public void Index_Top25_MatchesExact_ReadingAFewListsPerQuery()
    {
        var planted = Catalogue.Value;
        var (report, index) = AnnIndexBuilder.Build(planted.Items, planted.Bias, Hidden, planted.Users(300, seed: 1), new AnnIndexOptions());

        Assert.True(report.Shipped, report.Reason);
        Assert.NotNull(index);
        Assert.True(report.RecallAt25 >= AnnIndexBuilder.RequiredRecall, $"recall@25 {report.RecallAt25}");
        Assert.True(report.Probes * 6 <= report.Lists, $"{report.Probes} of {report.Lists} lists per query");

        // Users the gate never saw: recall holds on them too.
        var exact = new CatalogueScorer(planted.Items, planted.Bias, Hidden, quantize: false);
        var ann = new AnnScorer(exact, planted.Items, planted.Bias, index, report.Probes);
        var fresh = planted.Users(300, seed: 2);
        var truth = fresh.Select(state => exact.Score(new ScoringQuery(state, 25, null)).Rows).ToList();
        var recall = AnnIndexBuilder.Recall(ann, fresh, truth, report.Probes);
        Assert.True(recall >= AnnIndexBuilder.RequiredRecall, $"recall@25 on fresh users {recall}");
    }

    [Fact]
    public void AnnScores_AreTheExactSoftmaxProbabilities_ForAllButAFewUsers()
    {
        // ANN reads a few lists and estimates the normaliser over the rest from a sample: a served score must still
        // mean what it means under exact scoring, or scores change meaning when a campaign crosses the size threshold.
        // Users whose mass sits in lists the query did not read are the exception, as they are for recall (the gate's 2%).
        var planted = Catalogue.Value;
        var (report, index) = AnnIndexBuilder.Build(planted.Items, planted.Bias, Hidden, planted.Users(200, seed: 1), new AnnIndexOptions());
        var exact = new CatalogueScorer(planted.Items, planted.Bias, Hidden, quantize: false);
        var ann = new AnnScorer(exact, planted.Items, planted.Bias, index!, report.Probes);

        var users = planted.Users(200, seed: 4);
        var errors = new List<double>();
        foreach (var state in users)
        {
            var expected = exact.Score(new ScoringQuery(state, 25, null));
            var actual = ann.Score(new ScoringQuery(state, 25, null));
            var expectedScores = expected.Rows.Select((row, i) => (row, i)).ToDictionary(p => p.row, p => expected.Score(p.i));
            errors.Add(Enumerable.Range(0, actual.Rows.Length)
                .Where(i => expectedScores.ContainsKey(actual.Rows[i]))
                .Select(i => Math.Abs(actual.Score(i) - expectedScores[actual.Rows[i]]) / expectedScores[actual.Rows[i]])
                .DefaultIfEmpty(double.PositiveInfinity)
                .Max());
        }

        errors.Sort();
        var p98 = errors[(int)(0.98 * users.Count) - 1];
        Assert.True(p98 < 0.01, $"98% of users' scores within {p98:P2} of exact (median {errors[users.Count / 2]:P3})");
    }

    [Fact]
    public void AQuery_AllocatesItsCandidatesOnly_NoScratchSizedByTheCatalogue()
    {
        // A served request's garbage sets how often collections pause every request in flight, so scoring keeps its
        // per-block and per-list scratch on the stack or pooled: what a query allocates is its candidate lists
        // (CatalogueScorer.Candidates(25) = 200 rows), whatever the catalogue's size.
        var planted = Catalogue.Value;
        var (report, index) = AnnIndexBuilder.Build(planted.Items, planted.Bias, Hidden, planted.Users(100, seed: 1), new AnnIndexOptions());
        var exact = new CatalogueScorer(planted.Items, planted.Bias, Hidden, quantize: true);
        var ann = new AnnScorer(exact, planted.Items, planted.Bias, index!, report.Probes);
        var users = planted.Users(50, seed: 6);

        var allocated = new Dictionary<string, long>();
        foreach (var (method, score) in new (string, Func<ScoringQuery, ScoredRows>)[] { ("exact int8", exact.Score), ("ann", ann.Score) })
        {
            score(new ScoringQuery(users[0], 25, null));
            var before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var state in users)
            {
                score(new ScoringQuery(state, 25, null));
            }

            allocated[method] = (GC.GetAllocatedBytesForCurrentThread() - before) / users.Count;
        }

        Assert.True(allocated.Values.All(bytes => bytes < 8 * 1024), string.Join(", ", allocated.Select(p => $"{p.Key}: {p.Value} bytes per query")));
    }

    [Fact]
    public void Filters_HoldUnderAnn_AndTooSelectiveOnesFallBackToExact()
    {
        var planted = Catalogue.Value;
        var (report, index) = AnnIndexBuilder.Build(planted.Items, planted.Bias, Hidden, planted.Users(200, seed: 1), new AnnIndexOptions());
        var exact = new CatalogueScorer(planted.Items, planted.Bias, Hidden, quantize: false);
        var ann = new AnnScorer(exact, planted.Items, planted.Bias, index!, report.Probes);
        var users = planted.Users(100, seed: 3);

        // Exclusion of a third of the catalogue (seen items, a filter expression): every answer passes it.
        bool NotMultipleOfThree(int row) => row % 3 != 0;
        var overlap = 0.0;
        foreach (var state in users)
        {
            var expected = exact.Score(new ScoringQuery(state, 25, NotMultipleOfThree)).Rows;
            var actual = ann.Score(new ScoringQuery(state, 25, NotMultipleOfThree)).Rows;
            Assert.Equal(25, actual.Length);
            Assert.All(actual, row => Assert.True(NotMultipleOfThree(row)));
            overlap += (double)actual.Intersect(expected).Count() / expected.Length;
        }

        Assert.True(overlap / users.Count >= AnnIndexBuilder.RequiredRecall, $"filtered recall@25 {overlap / users.Count}");
        Assert.Equal(0, ann.ExactFallbacks);

        // 30 allowed items scattered over the catalogue: the probed lists hold too few, so exact scoring answers.
        var allowed = Enumerable.Range(0, 30).Select(i => i * 661).ToHashSet();
        foreach (var state in users.Take(10))
        {
            Assert.Equal(
                exact.Score(new ScoringQuery(state, 25, allowed.Contains)).Rows,
                ann.Score(new ScoringQuery(state, 25, allowed.Contains)).Rows);
        }

        Assert.Equal(10, ann.ExactFallbacks);
    }

    [Fact]
    public void WeakIndex_FailsTheRecallGate_AndIsNotShipped()
    {
        var planted = Catalogue.Value;
        // One list of 100 read per query (lists of ~200 items, so the exact fallback for too few survivors never helps).
        var weak = new AnnIndexOptions { Lists = 100, MaxProbeFraction = 0.01 };
        var (report, index) = AnnIndexBuilder.Build(planted.Items, planted.Bias, Hidden, planted.Users(200, seed: 1), weak);

        Assert.Null(index);
        Assert.False(report.Shipped);
        Assert.Equal(1, report.Probes);
        Assert.True(report.RecallAt25 < AnnIndexBuilder.RequiredRecall);
        Assert.Contains("below 0.98", report.Reason);
    }

    [Fact]
    public void SmallCatalogue_BuildsNoIndex()
    {
        var (report, index) = AnnIndexBuilder.Build(new float[500 * 4], new float[500], 4, [new float[4]], new AnnIndexOptions());
        Assert.Null(index);
        Assert.False(report.Shipped);
        Assert.Contains("500 items", report.Reason);
    }

    /// <summary>Items = topic + noise (varying norms) with a bias; users = a topic's vector plus a second topic's and noise.</summary>
    private sealed record Planted(float[] Items, float[] Bias, float[][] TopicVectors)
    {
        public static Planted Create(Random random)
        {
            var topics = Enumerable.Range(0, Topics).Select(_ => Gaussian(random, Hidden, 1f)).ToArray();
            var items = new float[CatalogueSize * Hidden];
            var bias = new float[CatalogueSize];
            for (var row = 0; row < CatalogueSize; row++)
            {
                var topic = topics[random.Next(Topics)];
                var norm = 0.5f + (float)random.NextDouble();
                var noise = Gaussian(random, Hidden, 0.4f);
                for (var k = 0; k < Hidden; k++)
                {
                    items[(row * Hidden) + k] = norm * (topic[k] + noise[k]);
                }

                bias[row] = Gaussian(random, 1, 0.5f)[0];
            }

            return new Planted(items, bias, topics);
        }

        public List<float[]> Users(int count, int seed)
        {
            var random = new Random(seed);
            return [.. Enumerable.Range(0, count).Select(_ =>
            {
                var main = TopicVectors[random.Next(Topics)];
                var second = TopicVectors[random.Next(Topics)];
                var noise = Gaussian(random, Hidden, 0.3f);
                return Enumerable.Range(0, Hidden).Select(k => main[k] + (0.4f * second[k]) + noise[k]).ToArray();
            })];
        }

        private static float[] Gaussian(Random random, int count, float scale) =>
            [.. Enumerable.Range(0, count).Select(_ => scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
    }
}
