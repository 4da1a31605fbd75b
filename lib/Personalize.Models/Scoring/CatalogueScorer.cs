using System.Numerics.Tensors;

namespace Personalize.Models.Scoring;

/// <summary>
/// Scores queries against every item (logit = item · state + bias) in one pass over the item table, block by block,
/// so several queries share each block while it is in cache. Each query keeps its best candidates and a running
/// softmax normaliser. With int8 items the pass selects a few times more candidates than asked for, which are
/// re-scored in float32: the answer is the float32 ranking, for a quarter of the memory traffic.
/// </summary>
public sealed class CatalogueScorer
{
    /// <summary>Rows per block: 1,024 x 64 int8 (64 KiB) or float32 (256 KiB) stay in L2 while every query of a batch reads them.</summary>
    private const int BlockRows = 1024;

    private readonly float[] _items;
    private readonly float[] _bias;
    private readonly QuantizedItems? _quantized;

    public CatalogueScorer(float[] items, float[] bias, int hidden, bool quantize)
    {
        _items = items;
        _bias = bias;
        Hidden = hidden;
        Rows = bias.Length;
        _quantized = quantize ? new QuantizedItems(items, hidden) : null;
    }

    public int Rows { get; }

    public int Hidden { get; }

    public bool Quantized => _quantized is not null;

    /// <summary>How many int8 candidates are re-scored in float32 for a request of count items.</summary>
    public static int Candidates(int count) => Math.Max(8 * count, 200);

    /// <summary>Bytes of item vectors one pass streams.</summary>
    public long BytesPerPass => _quantized?.Bytes ?? ((long)_items.Length * sizeof(float));

    public ScoredRows Score(ScoringQuery query) => Score([query])[0];

    /// <summary>All queries in one pass over the item table.</summary>
    public ScoredRows[] Score(IReadOnlyList<ScoringQuery> queries)
    {
        var n = queries.Count;
        var selectors = new TopKSelector[n];
        var quantizedQueries = new short[n][];
        var queryScales = new float[n];
        var max = new float[n];
        var sum = new double[n];
        for (var q = 0; q < n; q++)
        {
            var query = queries[q];
            if (query.State.Length != Hidden)
            {
                throw new ArgumentException($"A query state has {query.State.Length} entries; the items have {Hidden}.");
            }

            var count = Math.Min(Math.Max(0, query.Count), Rows);
            selectors[q] = new TopKSelector(_quantized is null ? count : Math.Min(Candidates(count), Rows), query.Accept);
            max[q] = float.NegativeInfinity;
            if (_quantized is not null)
            {
                quantizedQueries[q] = new short[Hidden];
                queryScales[q] = QuantizedItems.QuantizeQuery(query.State, quantizedQueries[q]);
            }
        }

        // On the stack: a request's garbage is what sets how often collections pause every request in flight.
        Span<float> logits = stackalloc float[BlockRows];
        Span<float> scratch = stackalloc float[BlockRows];
        for (var first = 0; first < Rows; first += BlockRows)
        {
            var rows = Math.Min(BlockRows, Rows - first);
            var block = logits[..rows];
            for (var q = 0; q < n; q++)
            {
                if (_quantized is null)
                {
                    ItemLogits.Compute(_items.AsSpan(first * Hidden, rows * Hidden), _bias.AsSpan(first, rows), queries[q].State, block);
                }
                else
                {
                    _quantized.Compute(first, quantizedQueries[q], queryScales[q], _bias, block);
                }

                selectors[q].OfferBlock(first, block);
                Accumulate(block, scratch[..rows], ref max[q], ref sum[q]);
            }
        }

        var results = new ScoredRows[n];
        for (var q = 0; q < n; q++)
        {
            var rows = selectors[q].TakeBestFirst(out var approximate);
            results[q] = _quantized is null
                ? new ScoredRows(rows, approximate, max[q], sum[q])
                : Rescore(queries[q], rows, approximate, max[q], sum[q]);
        }

        return results;
    }

    /// <summary>One item's float32 logit.</summary>
    public float Logit(int row, ReadOnlySpan<float> state) => ItemLogits.Logit(_items.AsSpan(row * Hidden, Hidden), _bias[row], state);

    /// <summary>The candidates' float32 logits decide the order; the normaliser swaps their int8 terms for exact ones.</summary>
    internal ScoredRows Rescore(ScoringQuery query, int[] candidates, float[] approximate, float max, double sum)
    {
        var exact = new float[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            var row = candidates[i];
            exact[i] = Logit(row, query.State);
            sum += Math.Exp(exact[i] - max) - Math.Exp(approximate[i] - max);
        }

        // Candidates already passed Accept; the selector orders them by exact logit, ties to the lower row.
        var best = new TopKSelector(Math.Min(Math.Max(0, query.Count), candidates.Length));
        for (var i = 0; i < candidates.Length; i++)
        {
            best.Offer(candidates[i], exact[i]);
        }

        var rows = best.TakeBestFirst(out var logits);
        return new ScoredRows(rows, logits, max, sum);
    }

    /// <summary>Adds Σ exp(logit − max) of a block to a running sum, moving max up (and rescaling the sum) when the block exceeds it.</summary>
    internal static void Accumulate(ReadOnlySpan<float> block, Span<float> scratch, ref float max, ref double sum)
    {
        var blockMax = TensorPrimitives.Max(block);
        if (blockMax > max)
        {
            sum *= Math.Exp(max - blockMax);
            max = blockMax;
        }

        TensorPrimitives.Subtract(block, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        sum += TensorPrimitives.Sum(scratch);
    }
}
