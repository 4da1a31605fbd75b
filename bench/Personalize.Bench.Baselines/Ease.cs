using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders") alone, over every item: the closed form the HRNN family's
/// co-occurrence term is fitted with (<see cref="CoOccurrenceTerm.Ease"/>), unfactored and served by itself.
/// </summary>
public static class Ease
{
    public static ItemItemModel Fit(UserSequences training, double lambda)
    {
        using var gram = CoOccurrence.Gram(training);
        return Fit(gram, lambda);
    }

    /// <summary>From the training users' Gram matrix XᵀX (left unchanged, so a search over λ counts it once).</summary>
    public static ItemItemModel Fit(Tensor gram, double lambda) => new(CoOccurrenceTerm.Ease(gram, lambda));
}
