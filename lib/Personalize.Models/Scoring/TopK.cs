namespace Personalize.Models.Scoring;

/// <summary>The k best entries of a whole score vector (see <see cref="TopKSelector"/> for streams).</summary>
public static class TopK
{
    /// <summary>Indices of the k largest scores that <paramref name="accept"/> allows, best first; ties go to the lower index.</summary>
    public static int[] Largest(ReadOnlySpan<float> scores, int k, Func<int, bool>? accept = null)
    {
        var selector = new TopKSelector(Math.Min(k, scores.Length), accept);
        selector.OfferBlock(0, scores);
        return selector.TakeBestFirst();
    }
}
