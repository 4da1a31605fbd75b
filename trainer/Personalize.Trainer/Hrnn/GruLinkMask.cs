using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Keeps a GRU's absent links absent while it trains: a mean of networks is served as one GRU whose weights are
/// block-diagonal (<see cref="HrnnNetwork.Mean"/>), and an UPDATE that starts from it would otherwise fill the zero
/// blocks, mixing the members and losing the served cell's block-by-block steps. The gradients of links that are zero
/// at the start are zeroed, so Adam never moves them.
/// </summary>
internal sealed class GruLinkMask : IDisposable
{
    private readonly (Tensor Weight, Tensor Keep)[] _masks;

    private GruLinkMask((Tensor Weight, Tensor Keep)[] masks) => _masks = masks;

    /// <summary>The mask of <paramref name="network"/>'s GRU as it is now; null where every link is present (a plain network).</summary>
    public static GruLinkMask? Of(HrnnNetwork network)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var weights = network.Gru.named_parameters().Where(p => p.name.StartsWith("weight_", StringComparison.Ordinal)).Select(p => (Tensor)p.parameter).ToArray();
        if (weights.All(w => w.eq(0).any().item<bool>() is false))
        {
            return null;
        }

        return new GruLinkMask([.. weights.Select(w => (w, w.ne(0).to_type(w.dtype).MoveToOuterDisposeScope()))]);
    }

    /// <summary>Call between backward() and the optimizer's step.</summary>
    public void MaskGradients()
    {
        using var noGrad = no_grad();
        foreach (var (weight, keep) in _masks)
        {
            weight.grad?.mul_(keep);
        }
    }

    public void Dispose()
    {
        foreach (var (_, keep) in _masks)
        {
            keep.Dispose();
        }
    }
}
