using Personalize.Jobs;
using Personalize.Models.Artifacts;
using Personalize.Models.Recipes;
using Personalize.Models.Scoring;

namespace Personalize.Models.Tests;

/// <summary>Cached and incrementally advanced user states give exactly the answers of recomputing the GRU every request.</summary>
public sealed class UserStateCacheTests
{
    private const int Hidden = 16;
    private const int Items = 300;
    private const int Users = 60;
    private const int Bptt = 8;

    /// <param name="historyWindow">The manifest's window; null, as in models trained before it was recorded, reads bptt (8).</param>
    [Theory]
    [InlineData(null)]
    [InlineData(10)]
    public async Task EventsAndRequests_WithEviction_AnswerExactlyAsRecomputation(int? historyWindow)
    {
        var artifact = Artifact(historyWindow);
        var recomputed = new HrnnRecommender(artifact, new ScoringSettings { UserStateCacheSize = 0, Batch = false });
        var cached = new HrnnRecommender(artifact, new ScoringSettings { UserStateCacheSize = 20, Batch = false });
        var random = new Random(4);
        var recent = new Dictionary<string, List<string>>();
        for (var step = 0; step < 3000; step++)
        {
            // Users u0..u59 are known (histories 0..12 long, across the window); u60..u69 exist only through their events.
            var user = $"u{random.Next(Users + 10)}";
            var events = recent.TryGetValue(user, out var list) ? list : recent[user] = [];
            if (random.NextDouble() < 0.3)
            {
                events.Add($"i{random.Next(Items)}");
            }

            var request = new RecommendationRequest { UserId = user, RecentItems = [.. events], NumResults = 10 };
            Assert.Equal(await recomputed.RecommendAsync(request), await cached.RecommendAsync(request));
            if (step % 10 == 0)
            {
                var ranking = new RecommendationRequest { UserId = user, RecentItems = [.. events], InputList = [.. Enumerable.Range(0, 20).Select(_ => $"i{random.Next(Items)}").Distinct()] };
                Assert.Equal(recomputed.Rank(ranking), cached.Rank(ranking));
            }

            Assert.InRange(cached.CachedUserStates, 0, 20);
        }

        Assert.Equal(20, cached.CachedUserStates);
    }

    [Fact]
    public void Cache_DropsTheLeastRecentlyUsedUser()
    {
        var cache = new UserStateCache(capacity: 2);
        cache.Set("a", [1], [1f]);
        cache.Set("b", [2], [2f]);
        Assert.True(cache.TryGet("a", out _, out _));
        cache.Set("c", [3], [3f]);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet("a", out var window, out var state));
        Assert.Equal([1], window);
        Assert.Equal([1f], state);
        Assert.False(cache.TryGet("b", out _, out _));
        Assert.True(cache.TryGet("c", out _, out _));
    }

    private static ModelArtifact Artifact(int? historyWindow)
    {
        var random = new Random(9);
        float[] Random(int count, float scale) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale)];
        var offsets = new int[Users + 1];
        var history = new List<int>();
        for (var u = 0; u < Users; u++)
        {
            history.AddRange(Enumerable.Range(0, u % 13).Select(_ => random.Next(Items)));
            offsets[u + 1] = history.Count;
        }

        var tensors = new Dictionary<string, SafeTensor>
        {
            [TensorNames.ItemInput] = SafeTensor.FromFloats(Random(Items * Hidden, 1f), Items, Hidden),
            [TensorNames.GruWeightIh] = SafeTensor.FromFloats(Random(3 * Hidden * Hidden, 0.5f), 3 * Hidden, Hidden),
            [TensorNames.GruWeightHh] = SafeTensor.FromFloats(Random(3 * Hidden * Hidden, 0.5f), 3 * Hidden, Hidden),
            [TensorNames.GruBiasIh] = SafeTensor.FromFloats(Random(3 * Hidden, 0.1f), 3 * Hidden),
            [TensorNames.GruBiasHh] = SafeTensor.FromFloats(Random(3 * Hidden, 0.1f), 3 * Hidden),
            [TensorNames.ItemOutput] = SafeTensor.FromFloats(Random(Items * Hidden, 1f), Items, Hidden),
            [TensorNames.ItemOutputBias] = SafeTensor.FromFloats(Random(Items, 0.1f), Items),
            [TensorNames.ItemPopularity] = SafeTensor.FromFloats(Random(Items, 100f).Select(Math.Abs).ToArray(), Items),
            [TensorNames.UserHistoryOffsets] = SafeTensor.FromInts(offsets, offsets.Length),
            [TensorNames.UserHistoryItems] = SafeTensor.FromInts([.. history], history.Count),
        };
        var manifest = new ModelManifest
        {
            Recipe = "aws-hrnn",
            RecipeType = "USER_PERSONALIZATION",
            Scorer = ScorerKinds.Hrnn,
            HyperParameters = new() { ["bptt"] = Bptt.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            HistoryWindow = historyWindow,
        };
        var vocabulary = new ModelVocabulary
        {
            Items = [.. Enumerable.Range(0, Items).Select(i => $"i{i}")],
            Users = [.. Enumerable.Range(0, Users).Select(u => $"u{u}")],
        };
        return new ModelArtifact(manifest, vocabulary, tensors);
    }
}
