using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;

namespace Personalize.Models.Training;

/// <summary>
/// aws-sims: two items are related when the same users interacted with both. The neighbour score of j for i is
/// cooc(i, j) / popularity(j)^popularity_discount_factor: at 0 the most co-consumed items win (which favours popular
/// ones), at 1 the co-occurrence is fully normalised by j's popularity. Pairs seen by fewer than
/// min_cointeraction_count users are dropped; the scorer fills in with popular items.
/// </summary>
public static class SimsTrainer
{
    // A user's newest distinct items that count, so one very long history cannot cost O(length²).
    private const int ItemsPerUser = ArtifactBuilder.StoredHistoryLength;

    public static ModelArtifact Train(ModelManifest manifest, UserSequences data, UserSequences served, double popularityDiscountFactor, int minCointeractionCount, CancellationToken cancellationToken)
    {
        manifest.Scorer = ScorerKinds.Sims;
        return ArtifactBuilder.Build(manifest, data, served, Tensors(Neighbours(data, popularityDiscountFactor, minCointeractionCount, cancellationToken)));
    }

    /// <summary>Each item's co-occurrence neighbours (at most MaxNumResults), best first, with their scores.</summary>
    public static (int[] Items, float[] Scores)[] Neighbours(UserSequences data, double popularityDiscountFactor, int minCointeractionCount, CancellationToken cancellationToken)
    {
        var itemCount = data.ItemIds.Count;
        var userItems = data.Sequences.Select(s => s.Reverse().Distinct().Take(ItemsPerUser).ToArray()).ToArray();
        var itemUsers = Invert(userItems, itemCount);
        var popularity = itemUsers.Select(users => (float)users.Length).ToArray();
        var discount = popularity.Select(p => (float)Math.Pow(Math.Max(p, 1), popularityDiscountFactor)).ToArray();
        var minimum = Math.Max(1, minCointeractionCount);

        var neighbours = new (int[] Items, float[] Scores)[itemCount];
        Parallel.For(
            0,
            itemCount,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => (Counts: new int[itemCount], Touched: new List<int>()),
            (item, _, scratch) =>
            {
                foreach (var user in itemUsers[item])
                {
                    foreach (var other in userItems[user])
                    {
                        if (other != item && scratch.Counts[other]++ == 0)
                        {
                            scratch.Touched.Add(other);
                        }
                    }
                }

                var candidates = scratch.Touched.Where(j => scratch.Counts[j] >= minimum).ToArray();
                var scores = candidates.Select(j => scratch.Counts[j] / discount[j]).ToArray();
                var best = TopK.Largest(scores, RecommendationRequest.MaxNumResults);
                neighbours[item] = (best.Select(i => candidates[i]).ToArray(), best.Select(i => scores[i]).ToArray());
                foreach (var j in scratch.Touched)
                {
                    scratch.Counts[j] = 0;
                }

                scratch.Touched.Clear();
                return scratch;
            },
            _ => { });
        return neighbours;
    }

    /// <summary>Neighbour lists (one per item row, best first) as the tensors the neighbour scorer reads.</summary>
    public static Dictionary<string, SafeTensor> Tensors(IReadOnlyList<(int[] Items, float[] Scores)> neighbours)
    {
        var offsets = new int[neighbours.Count + 1];
        for (var item = 0; item < neighbours.Count; item++)
        {
            offsets[item + 1] = offsets[item] + neighbours[item].Items.Length;
        }

        return new Dictionary<string, SafeTensor>
        {
            [TensorNames.SimsOffsets] = SafeTensor.FromInts(offsets, offsets.Length),
            [TensorNames.SimsNeighbors] = SafeTensor.FromInts(neighbours.SelectMany(n => n.Items).ToArray(), offsets[^1]),
            [TensorNames.SimsScores] = SafeTensor.FromFloats(neighbours.SelectMany(n => n.Scores).ToArray(), offsets[^1]),
        };
    }

    private static int[][] Invert(int[][] userItems, int itemCount)
    {
        var lists = Enumerable.Range(0, itemCount).Select(_ => new List<int>()).ToArray();
        for (var user = 0; user < userItems.Length; user++)
        {
            foreach (var item in userItems[user])
            {
                lists[item].Add(user);
            }
        }

        return lists.Select(l => l.ToArray()).ToArray();
    }
}
