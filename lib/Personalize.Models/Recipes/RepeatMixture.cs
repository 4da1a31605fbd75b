using System.Numerics.Tensors;
using Personalize.Models.Artifacts;
using Personalize.Models.Scoring;

namespace Personalize.Models.Recipes;

/// <summary>
/// What an HRNN trained on data where users never repeat items predicts (<see cref="ModelManifest.RepeatShare"/>):
/// its softmax learned which of the items a user has not had comes next, so the next item is one of the user's own
/// with probability r (the softmax over those) and a new one with probability 1 − r (the softmax over the rest).
/// On rating data r is close to 0, so a user's own items rank after the new items the model expects, without a
/// filter; they stay candidates, and fill a list that the new items cannot.
/// </summary>
internal static class RepeatMixture
{
    /// <summary>
    /// The best <paramref name="count"/> of the catalogue under the mixture, best first: <paramref name="fresh"/> is
    /// the best of the items the user has not had (its normaliser over the whole catalogue), <paramref name="had"/>
    /// the user's distinct items and <paramref name="hadLogits"/> their logits.
    /// </summary>
    public static IReadOnlyList<(int Row, double Score)> Best(
        ScoredRows fresh, int[] had, float[] hadLogits, double share, Func<int, bool> accept, int count)
    {
        var hadMax = TensorPrimitives.Max(hadLogits);
        var hadSum = hadLogits.Sum(logit => Math.Exp(logit - hadMax));
        var listed = fresh.Logits.Sum(logit => Math.Exp(logit - fresh.Max));
        // The catalogue's normaliser less the user's items; int8 scoring and the ANN index estimate it, so it is never
        // taken below what the answer itself holds.
        var freshSum = Math.Max(fresh.Sum - (hadSum * Math.Exp(hadMax - fresh.Max)), listed);
        return fresh.Rows.Select((row, i) => (Row: row, Score: (1 - share) * Math.Exp(fresh.Logits[i] - fresh.Max) / freshSum))
            .Concat(had.Select((row, i) => (Row: row, Score: share * Math.Exp(hadLogits[i] - hadMax) / hadSum)).Where(c => accept(c.Row)))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Row)
            .Take(count)
            .ToList();
    }

    /// <summary>
    /// Scores of a ranked list under the mixture: a softmax within the listed items the user had and one within the
    /// rest, weighted r and 1 − r where the list holds both (a list of one kind is its own softmax).
    /// </summary>
    public static double[] Within(float[] logits, bool[] had, double share)
    {
        var scores = new double[logits.Length];
        var hadCount = had.Count(h => h);
        foreach (var group in new[] { true, false })
        {
            var members = Enumerable.Range(0, logits.Length).Where(i => had[i] == group).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            var weight = hadCount == 0 || hadCount == logits.Length ? 1 : group ? share : 1 - share;
            var max = members.Max(i => logits[i]);
            var sum = members.Sum(i => Math.Exp(logits[i] - max));
            foreach (var i in members)
            {
                scores[i] = weight * Math.Exp(logits[i] - max) / sum;
            }
        }

        return scores;
    }
}
