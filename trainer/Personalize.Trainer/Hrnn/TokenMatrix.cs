namespace Personalize.Trainer.Hrnn;

/// <summary>
/// Metadata as a dense rows × tokens matrix whose rows average each row's tokens ("GENRE=comedy", ...), so a
/// matrix product with a token table gives each item's (or user's) mean token embedding.
/// </summary>
internal sealed class TokenMatrix
{
    private TokenMatrix(int rows, int tokens, float[] weights)
    {
        Rows = rows;
        Tokens = tokens;
        Weights = weights;
    }

    public int Rows { get; }

    public int Tokens { get; }

    public float[] Weights { get; }

    /// <summary>Rows follow <paramref name="ids"/>; ids without metadata get an all-zero row.</summary>
    public static TokenMatrix Build(IReadOnlyList<string> ids, IReadOnlyDictionary<string, IReadOnlyList<string>> tokensById)
    {
        // The token vocabulary depends only on the metadata, so matrices built for different id lists (training
        // users, all users) share columns.
        var vocabulary = tokensById.Values.SelectMany(tokens => tokens).Distinct().Order(StringComparer.Ordinal)
            .Select((token, column) => (token, column)).ToDictionary(p => p.token, p => p.column, StringComparer.Ordinal);

        var weights = new float[(long)ids.Count * vocabulary.Count];
        for (var row = 0; row < ids.Count; row++)
        {
            var tokens = (tokensById.GetValueOrDefault(ids[row]) ?? []).Distinct().ToList();
            foreach (var token in tokens)
            {
                weights[((long)row * vocabulary.Count) + vocabulary[token]] = 1f / tokens.Count;
            }
        }

        return new TokenMatrix(ids.Count, vocabulary.Count, weights);
    }
}
