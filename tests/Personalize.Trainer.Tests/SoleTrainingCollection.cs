namespace Personalize.Trainer.Tests;

/// <summary>
/// TorchSharp's random generator is process-wide: a test that replays a training exactly runs alone, after the
/// parallel ones, so no other test's training draws from the generator in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoleTrainingCollection
{
    public const string Name = "sole training";
}
