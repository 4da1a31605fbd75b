namespace Personalize.Trainer.Tests;

/// <summary>
/// Tests that compare two trainings weight for weight (or metric for metric). torch's seed is process-wide, so a training running at the same
/// time in another test class would draw from the same generator between a run's seeding and its initial weights;
/// these run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTrainingCollection
{
    public const string Name = "seeded training";
}
