namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Greedy ensemble selection with replacement (Caruana et al. 2004): starting from one member alone, adds whichever
/// member (again, where it is in already) most raises the mean per-user score of the ensemble, the members' weighted
/// mean, while one does, at most <c>maxSteps</c> times. A member's weight is how often it was added. Kept apart from
/// the networks so that the choice itself can be checked on planted scores.
/// </summary>
internal static class EnsembleSelection
{
    /// <summary>
    /// Chooses the weights. <paramref name="alone"/> is the per-user score of member <paramref name="first"/> served on
    /// its own; <paramref name="scoreEnsemble"/> gives the per-user scores of the ensemble with the given weights (one
    /// per member). Returns the weights and the chosen ensemble's per-user scores (<paramref name="alone"/> where no
    /// ensemble scores higher).
    /// </summary>
    public static (int[] Weights, double[] Scores) Choose(
        int members, int first, double[] alone, Func<int[], double[]> scoreEnsemble, int maxSteps, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(first, members);
        var weights = new int[members];
        weights[first] = 1;
        var best = alone;
        for (var step = 0; step < maxSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (trial, scores) = Enumerable.Range(0, members)
                .Select(added =>
                {
                    var candidate = weights.Select((w, i) => i == added ? w + 1 : w).ToArray();
                    return (Weights: candidate, Scores: scoreEnsemble(candidate));
                })
                .MaxBy(t => t.Scores.Average());
            // Only a strict gain adds: a member whose ensemble ties (a copy of one already in) would cost serving time
            // for nothing.
            if (scores.Average() <= best.Average())
            {
                break;
            }

            (weights, best) = (trial, scores);
        }

        return (weights, best);
    }
}
