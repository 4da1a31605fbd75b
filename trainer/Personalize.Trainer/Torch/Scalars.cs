using TorchSharp;
using static TorchSharp.torch;

namespace Personalize.Trainer.Torch;

/// <summary>
/// Scalars training passes to libtorch again and again, held by static fields so they are never finalized. TorchSharp
/// turns a number into a Scalar implicitly (and Tensor + Tensor, or add_(scalar), into an add with alpha 1;
/// subtraction takes no Scalar), and such a Scalar is unreachable during the native call that reads it: a collection
/// then frees it under libtorch. Values that change per call are made with <c>using var s = value.ToScalar();</c>
/// beside the call instead.
/// </summary>
internal static class Scalars
{
    /// <summary>alpha 1 for an add.</summary>
    public static readonly Scalar One = 1.ToScalar();

    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>A logit that leaves its item out of a softmax without the NaNs of -∞ where a whole row is masked.</summary>
    public static readonly Scalar MaskedLogit = (-1e9).ToScalar();

    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
}
