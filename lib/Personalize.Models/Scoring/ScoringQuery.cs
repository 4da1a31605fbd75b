namespace Personalize.Models.Scoring;

/// <summary>One user state to score against the whole catalogue: the best Count rows that Accept allows.</summary>
public sealed record ScoringQuery(float[] State, int Count, Func<int, bool>? Accept);

/// <summary>
/// A query's answer: the best rows with their exact float32 logits, best first, and the softmax normaliser over the
/// catalogue (score = exp(logit − Max) / Sum).
/// </summary>
public sealed record ScoredRows(int[] Rows, float[] Logits, float Max, double Sum)
{
    public double Score(int i) => Math.Exp(Logits[i] - Max) / Sum;
}
