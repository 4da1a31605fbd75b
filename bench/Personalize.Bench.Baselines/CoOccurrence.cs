using Personalize.Models.Training;
using Personalize.Trainer.Hrnn;
using static TorchSharp.torch;

namespace Personalize.Bench.Baselines;

/// <summary>The item-item Gram matrix XᵀX over every item, as the co-occurrence term counts it over the items it covers.</summary>
public static class CoOccurrence
{
    public static Tensor Gram(UserSequences training) =>
        CoOccurrenceTerm.Gram(training, [.. Enumerable.Range(0, training.ItemIds.Count).Select(i => (long)i)], CPU);
}
