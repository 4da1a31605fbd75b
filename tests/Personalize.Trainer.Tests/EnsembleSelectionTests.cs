using Personalize.Trainer.Hrnn;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The validation users' choice of which models to serve averaged, on planted members: each predicts a user's true
/// value with an error of its own, and an ensemble's score for a user is how close its weighted mean prediction comes.
/// Independent errors average out, so the ensemble must win; how far is known, since the best weights go as one over
/// the variance.
/// </summary>
public sealed class EnsembleSelectionTests
{
    private const int Users = 2000;

    [Fact]
    public void MembersWithIndependentErrors_AreAveraged_TheNoisierOneAtLessWeight()
    {
        var members = Planted(seed: 1, 1.0, 1.0, 1.5);

        var (weights, scores) = Choose(members, first: 0, maxSteps: 4);

        // One over the variance: 1, 1 and 0.44, which four steps reach as 2, 2 and 1.
        Assert.Equal([2, 2, 1], weights);
        Assert.Equal(members.Score(weights), scores);
        Assert.True(scores.Average() > members.Alone(0).Average(), $"the ensemble scores {scores.Average():F4}, the first member alone {members.Alone(0).Average():F4}");
    }

    [Fact]
    public void AMemberFarNoisierThanTheRest_NeverJoins()
    {
        var (weights, _) = Choose(Planted(seed: 2, 1.0, 1.0, 5.0), first: 0, maxSteps: 4);

        Assert.Equal([1, 1, 0], weights);
    }

    [Fact]
    public void ACopyOfTheMemberServed_NeverJoins_AndTheMemberIsServedAlone()
    {
        var members = Planted(seed: 3, 1.0);
        members = members with { Predictions = [members.Predictions[0], members.Predictions[0]] };
        var alone = members.Alone(0);

        var (weights, scores) = EnsembleSelection.Choose(2, 0, alone, members.Score, maxSteps: 4, CancellationToken.None);

        Assert.Equal([1, 0], weights);
        Assert.Same(alone, scores);
    }

    [Fact]
    public void TheChoiceStartsFromTheMemberGiven_AndAddsAtMostMaxStepsMembers()
    {
        var members = Planted(seed: 4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);

        var (none, _) = Choose(members, first: 3, maxSteps: 0);
        var (two, _) = Choose(members, first: 3, maxSteps: 2);

        Assert.Equal([0, 0, 0, 1, 0, 0], none);
        Assert.Equal(3, two.Sum());
        Assert.Equal(1, two[3]);
    }

    [Fact]
    public void ACancelledChoice_Throws()
    {
        var members = Planted(seed: 5, 1.0, 1.0);

        Assert.Throws<OperationCanceledException>(() =>
            EnsembleSelection.Choose(2, 0, members.Alone(0), members.Score, maxSteps: 4, new CancellationToken(canceled: true)));
    }

    private static (int[] Weights, double[] Scores) Choose(PlantedMembers members, int first, int maxSteps) =>
        EnsembleSelection.Choose(members.Predictions.Length, first, members.Alone(first), members.Score, maxSteps, CancellationToken.None);

    /// <summary>Members whose predictions are each user's true value plus Gaussian noise of the given standard deviation.</summary>
    private static PlantedMembers Planted(int seed, params double[] noise)
    {
        var random = new Random(seed);
        var truth = Enumerable.Range(0, Users).Select(_ => random.NextDouble()).ToArray();
        var predictions = noise.Select(sigma => truth.Select(t => t + sigma * Gaussian(random)).ToArray()).ToArray();
        return new PlantedMembers(truth, predictions);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed record PlantedMembers(double[] Truth, double[][] Predictions)
    {
        /// <summary>Per user: minus the squared error of the weighted mean prediction.</summary>
        public double[] Score(int[] weights) =>
            [.. Truth.Select((t, u) =>
            {
                var mean = weights.Select((w, m) => w * Predictions[m][u]).Sum() / weights.Sum();
                return -(mean - t) * (mean - t);
            })];

        public double[] Alone(int member) => Score([.. Predictions.Select((_, m) => m == member ? 1 : 0)]);
    }
}
