using Personalize.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): the closed-form item-item model
/// B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, i.e. Bᵢⱼ = −Pᵢⱼ / Pⱼⱼ off the diagonal and diag(B) = 0.
/// </summary>
public static class Ease
{
    public static ItemItemModel Fit(UserSequences training, double lambda)
    {
        using var gram = CoOccurrence.Gram(training);
        return Fit(gram, lambda);
    }

    /// <summary>From the training users' Gram matrix XᵀX (left unchanged, so a search over λ counts it once).</summary>
    public static ItemItemModel Fit(Tensor gram, double lambda)
    {
        using var scope = torch.NewDisposeScope();
        var n = gram.shape[0];
        var p = torch.linalg.inv(gram.add(torch.eye(n).mul_(lambda)));
        var b = p.div(p.diagonal().neg().unsqueeze(0));
        b.diagonal().zero_();
        return new ItemItemModel(b);
    }
}
