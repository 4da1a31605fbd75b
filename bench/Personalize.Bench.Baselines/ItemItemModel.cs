using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>
/// An item×item weight matrix W (EASE's B, item-kNN's pruned similarities): a user's scores are x·W, where x marks the
/// items in the user's history (each once).
/// </summary>
public sealed class ItemItemModel : IDisposable
{
    private const int UsersPerBatch = 256;
    private readonly Tensor _weights;

    /// <summary>Takes ownership of <paramref name="weights"/> (detached from any dispose scope).</summary>
    public ItemItemModel(Tensor weights)
    {
        _weights = weights.DetachFromDisposeScope();
        Items = (int)weights.shape[0];
    }

    public int Items { get; }

    /// <summary>
    /// The top <paramref name="count"/> item rows for each history, best first. <paramref name="excludeSeen"/> leaves out
    /// the history's own items (the usual EASE and kNN protocol); without it the baselines answer as the recipes do, which
    /// leave seen items in unless a filter removes them.
    /// </summary>
    public int[][] Recommend(IReadOnlyList<int[]> histories, int count, bool excludeSeen)
    {
        var k = Math.Min(count, Items);
        var result = new int[histories.Count][];
        for (var start = 0; start < histories.Count; start += UsersPerBatch)
        {
            var batch = Math.Min(UsersPerBatch, histories.Count - start);
            var marks = new float[(long)batch * Items];
            for (var u = 0; u < batch; u++)
            {
                foreach (var item in histories[start + u])
                {
                    marks[((long)u * Items) + item] = 1;
                }
            }

            using var scope = torch.NewDisposeScope();
            var x = torch.tensor(marks, [batch, Items]);
            var scores = x.mm(_weights);
            if (excludeSeen)
            {
                scores = scores.masked_fill(x.gt(0), float.NegativeInfinity);
            }

            var top = scores.topk(k, dim: 1).indexes.to_type(ScalarType.Int32).data<int>().ToArray();
            for (var u = 0; u < batch; u++)
            {
                result[start + u] = top[(u * k)..((u + 1) * k)];
            }
        }

        return result;
    }

    public void Dispose() => _weights.Dispose();
}
