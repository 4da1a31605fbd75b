using Personalize.Models.Training;

namespace Personalize.Trainer.Hrnn;

/// <summary>
/// The training events' contexts as rows: each distinct context is a row of a rows × tokens matrix that averages its
/// tokens ("DEVICE=mobile"), row 0 being no context (all zeros), and every event of every user points at its row. A
/// matrix product with the network's context table then gives each event's context vector.
/// </summary>
internal sealed class ContextMatrix
{
    private ContextMatrix(List<string> tokens, int rows, float[] weights, int[][] eventRows)
    {
        Tokens = tokens;
        Rows = rows;
        Weights = weights;
        EventRows = eventRows;
    }

    /// <summary>The token vocabulary, in column order.</summary>
    public List<string> Tokens { get; }

    public int Rows { get; }

    public float[] Weights { get; }

    /// <summary>Each event's row, per user, aligned with the sequences the matrix was built from.</summary>
    public int[][] EventRows { get; }

    /// <summary>Null when no event of <paramref name="data"/> has a context.</summary>
    public static ContextMatrix? Build(UserSequences data)
    {
        if (data.EventContexts is null)
        {
            return null;
        }

        var eventTokens = Enumerable.Range(0, data.Sequences.Length)
            .Select(u => Enumerable.Range(0, data.Sequences[u].Length).Select(p => ContextTokens.Of(data.ContextOf(u, p)).Distinct().Order(StringComparer.Ordinal).ToArray()).ToArray())
            .ToArray();
        var tokens = eventTokens.SelectMany(user => user.SelectMany(tokens => tokens)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (tokens.Count == 0)
        {
            return null;
        }

        var columns = tokens.Select((token, column) => (token, column)).ToDictionary(p => p.token, p => p.column, StringComparer.Ordinal);
        var rows = new Dictionary<string, int>(StringComparer.Ordinal) { [string.Empty] = 0 };
        var rowTokens = new List<string[]> { Array.Empty<string>() };
        var eventRows = eventTokens.Select(user => user.Select(eventToken =>
        {
            var key = string.Join('\n', eventToken);
            if (!rows.TryGetValue(key, out var row))
            {
                row = rowTokens.Count;
                rows[key] = row;
                rowTokens.Add(eventToken);
            }

            return row;
        }).ToArray()).ToArray();

        var weights = new float[(long)rowTokens.Count * tokens.Count];
        for (var row = 1; row < rowTokens.Count; row++)
        {
            foreach (var token in rowTokens[row])
            {
                weights[((long)row * tokens.Count) + columns[token]] = 1f / rowTokens[row].Length;
            }
        }

        return new ContextMatrix(tokens, rowTokens.Count, weights, eventRows);
    }
}
