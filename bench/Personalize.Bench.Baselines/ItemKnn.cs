using Personalize.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>
/// Item-based top-N (Deshpande and Karypis 2004): cosine similarity of the items' user vectors, each item keeping its
/// <c>neighbours</c> most similar items; a user's score for an item sums its similarities to the user's items.
/// </summary>
public static class ItemKnn
{
    public static ItemItemModel Fit(UserSequences training, int neighbours)
    {
        using var gram = CoOccurrence.Gram(training);
        return Fit(gram, neighbours);
    }

    /// <summary>From the training users' Gram matrix XᵀX (left unchanged, so a search over k counts it once).</summary>
    public static ItemItemModel Fit(Tensor gram, int neighbours)
    {
        using var scope = torch.NewDisposeScope();
        var norms = gram.diagonal().sqrt().clamp_min(1e-6);
        var similarity = gram.div(norms.unsqueeze(1)).div_(norms.unsqueeze(0));
        similarity.diagonal().zero_();
        var k = (int)Math.Min(neighbours, similarity.shape[1]);
        var (values, indexes) = similarity.topk(k, dim: 1);
        return new ItemItemModel(torch.zeros_like(similarity).scatter_(1, indexes, values));
    }
}
