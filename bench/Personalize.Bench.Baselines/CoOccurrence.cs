using Personalize.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>The item-item Gram matrix XᵀX of the binary user×item matrix: how many users have both items (the diagonal: each item's users).</summary>
public static class CoOccurrence
{
    /// <summary>
    /// Counted from each user's distinct items (the pairs of a user's items, not a dense XᵀX product, which would cost
    /// users × items² operations); float32 counts are exact up to 2^24 users.
    /// </summary>
    public static Tensor Gram(UserSequences training)
    {
        var n = training.ItemIds.Count;
        var counts = new float[(long)n * n];
        foreach (var sequence in training.Sequences)
        {
            var items = sequence.Distinct().ToArray();
            foreach (var i in items)
            {
                var row = (long)i * n;
                foreach (var j in items)
                {
                    counts[row + j]++;
                }
            }
        }

        return torch.tensor(counts, [n, n]);
    }
}
