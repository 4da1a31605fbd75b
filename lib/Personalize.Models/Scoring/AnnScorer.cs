using System.Buffers;
using System.Numerics.Tensors;

namespace Personalize.Models.Scoring;

/// <summary>
/// Scores a query through the ANN index: the centroids rank the lists, the best <see cref="Probes"/> lists are read
/// as int8 (items stored list after list, so each list is one contiguous block), and the candidates are re-scored in
/// float32 by the exact scorer, as int8 exact scoring does. Filters and exclusions are a predicate on the candidates;
/// when fewer than the requested count survive in the probed lists, the query is scored exactly instead. The softmax
/// normaliser sums the probed items and estimates the rest from a fixed uniform sample of them.
/// </summary>
public sealed class AnnScorer
{
    /// <summary>Items of the catalogue whose exact logits estimate the normaliser over the lists a query does not read.</summary>
    private const int NormaliserSample = 1024;

    private const int BlockRows = 1024;

    private readonly CatalogueScorer _exact;
    private readonly ItemPartitions _partitions;
    private readonly QuantizedItems _values;
    private readonly float[] _bias;
    private readonly int[] _samplePositions;
    private readonly int[] _sampleLists;
    private readonly float[] _spread;

    public AnnScorer(CatalogueScorer exact, float[] items, float[] bias, ItemPartitions partitions, int probes)
    {
        if (partitions.Rows.Length != exact.Rows || partitions.Hidden != exact.Hidden)
        {
            throw new InvalidDataException($"Model artifact: the ANN index covers {partitions.Rows.Length} items of {partitions.Hidden} dimensions; the model has {exact.Rows} of {exact.Hidden}.");
        }

        _exact = exact;
        _partitions = partitions;
        Probes = Math.Clamp(probes, 1, partitions.Lists);
        _values = new QuantizedItems(items, exact.Hidden, partitions.Rows);
        _bias = [.. partitions.Rows.Select(row => bias[row])];
        var step = Math.Max(1, exact.Rows / NormaliserSample);
        _samplePositions = [.. Enumerable.Range(0, Math.Min(NormaliserSample, exact.Rows)).Select(i => i * step)];
        _sampleLists = [.. _samplePositions.Select(ListOf)];
        _spread = Spread(items, bias, exact.Hidden, partitions);
    }

    /// <summary>Lists each query reads.</summary>
    public int Probes { get; }

    /// <summary>Bytes the scorer adds: int8 items in list order, their bias copy and the centroids.</summary>
    public long Bytes => _values.Bytes + (_bias.LongLength * sizeof(float)) + (_partitions.Centroids.LongLength * sizeof(float)) + (_partitions.Rows.LongLength * sizeof(int));

    /// <summary>Queries that found too few acceptable items in their lists and were scored exactly.</summary>
    public long ExactFallbacks => Interlocked.Read(ref _exactFallbacks);

    private long _exactFallbacks;

    public ScoredRows Score(ScoringQuery query) => Score(query, Probes);

    /// <summary>The query scored reading its best <paramref name="probes"/> lists (the recall gate tries several).</summary>
    public ScoredRows Score(ScoringQuery query, int probes)
    {
        var hidden = _exact.Hidden;
        if (query.State.Length != hidden)
        {
            throw new ArgumentException($"A query state has {query.State.Length} entries; the items have {hidden}.");
        }

        var count = Math.Min(Math.Max(0, query.Count), _exact.Rows);
        var rows = _partitions.Rows;
        var accept = query.Accept;
        var selector = new TopKSelector(Math.Min(CatalogueScorer.Candidates(count), _exact.Rows), accept is null ? null : position => accept(rows[position]));

        // The lists whose best item is likely to score best against [state, 1]: the centroid's score plus the
        // expected maximum of the residuals' scores, so a wide list of mixed items is not ranked by its mean alone.
        var width = hidden + 1;
        var queryNorm = MathF.Sqrt(TensorPrimitives.Dot(query.State, query.State) + 1);
        // Scratch space is pooled or on the stack: a request's garbage is what sets how often collections pause
        // every request in flight.
        var lists = _partitions.Lists;
        var pooled = ArrayPool<float>.Shared.Rent(lists);
        var readPooled = ArrayPool<bool>.Shared.Rent(lists);
        try
        {
            var centroidScores = pooled.AsSpan(0, lists);
            for (var l = 0; l < lists; l++)
            {
                var centroid = _partitions.Centroids.AsSpan(l * width, width);
                centroidScores[l] = TensorPrimitives.Dot(centroid[..hidden], query.State) + centroid[hidden] + (_spread[l] * queryNorm);
            }

            var probed = TopK.Largest(centroidScores, Math.Clamp(probes, 1, lists));
            var read = readPooled.AsSpan(0, lists);
            read.Clear();
            return ScoreLists(query, count, probed, read, selector);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pooled);
            ArrayPool<bool>.Shared.Return(readPooled);
        }
    }

    /// <summary>Reads the probed lists as int8 into the selector, then re-scores its candidates in float32.</summary>
    private ScoredRows ScoreLists(ScoringQuery query, int count, int[] probed, Span<bool> read, TopKSelector selector)
    {
        var hidden = _exact.Hidden;
        var rows = _partitions.Rows;
        Span<short> quantized = stackalloc short[hidden];
        var queryScale = QuantizedItems.QuantizeQuery(query.State, quantized);
        Span<float> logits = stackalloc float[BlockRows];
        Span<float> scratch = stackalloc float[BlockRows];
        var max = float.NegativeInfinity;
        var sum = 0.0;
        var scanned = 0;
        foreach (var list in probed)
        {
            read[list] = true;
            for (var first = _partitions.Offsets[list]; first < _partitions.Offsets[list + 1]; first += BlockRows)
            {
                var block = logits[..Math.Min(BlockRows, _partitions.Offsets[list + 1] - first)];
                _values.Compute(first, quantized, queryScale, _bias, block);
                selector.OfferBlock(first, block);
                CatalogueScorer.Accumulate(block, scratch[..block.Length], ref max, ref sum);
                scanned += block.Length;
            }
        }

        var positions = selector.TakeBestFirst(out var approximate);
        if (positions.Length < count)
        {
            // A filter left too few items in the probed lists: exact scoring finds them wherever they are.
            Interlocked.Increment(ref _exactFallbacks);
            return _exact.Score(query);
        }

        var unread = UnreadMass(query.State, read, _exact.Rows - scanned, ref max, ref sum);
        sum += unread;
        var candidates = new int[positions.Length];
        for (var i = 0; i < positions.Length; i++)
        {
            candidates[i] = rows[positions[i]];
        }

        return _exact.Rescore(query, candidates, approximate, max, sum);
    }

    /// <summary>
    /// Σ exp(logit − max) over the unread items, estimated as their count times the mean over the sample items that
    /// fall in unread lists (exact float32 logits); moves max up, rescaling the read sum, if a sample item beats it.
    /// </summary>
    private double UnreadMass(float[] state, ReadOnlySpan<bool> read, int unread, ref float max, ref double sum)
    {
        if (unread == 0)
        {
            return 0;
        }

        Span<float> sample = stackalloc float[_samplePositions.Length];
        var taken = 0;
        for (var i = 0; i < _samplePositions.Length; i++)
        {
            if (!read[_sampleLists[i]])
            {
                var row = _partitions.Rows[_samplePositions[i]];
                sample[taken++] = _exact.Logit(row, state);
            }
        }

        if (taken == 0)
        {
            return 0;
        }

        var logits = sample[..taken];
        var sampleMax = TensorPrimitives.Max(logits);
        if (sampleMax > max)
        {
            sum *= Math.Exp(max - sampleMax);
            max = sampleMax;
        }

        var mass = 0.0;
        foreach (var logit in logits)
        {
            mass += Math.Exp(logit - max);
        }

        return mass * unread / taken;
    }

    /// <summary>
    /// Per list, the expected largest residual score per unit query norm if residuals point every way alike: RMS
    /// residual norm / √(hidden + 1) (one direction's share) times √(2 ln n) (the maximum of n normal draws).
    /// </summary>
    private static float[] Spread(float[] items, float[] bias, int hidden, ItemPartitions partitions)
    {
        var width = hidden + 1;
        var spread = new float[partitions.Lists];
        var residual = new float[width];
        for (var l = 0; l < partitions.Lists; l++)
        {
            var count = partitions.Offsets[l + 1] - partitions.Offsets[l];
            if (count == 0)
            {
                continue;
            }

            var centroid = partitions.Centroids.AsSpan(l * width, width);
            var squares = 0.0;
            for (var p = partitions.Offsets[l]; p < partitions.Offsets[l + 1]; p++)
            {
                var row = partitions.Rows[p];
                TensorPrimitives.Subtract(items.AsSpan(row * hidden, hidden), centroid[..hidden], residual.AsSpan(0, hidden));
                residual[hidden] = bias[row] - centroid[hidden];
                squares += TensorPrimitives.Dot(residual, residual);
            }

            spread[l] = (float)(Math.Sqrt(squares / count / width) * Math.Sqrt(2 * Math.Log(Math.Max(2, count))));
        }

        return spread;
    }

    private int ListOf(int position)
    {
        var index = Array.BinarySearch(_partitions.Offsets, position);
        // An exact hit is the first position of a list (empty lists before it share the offset: take the last of them).
        if (index >= 0)
        {
            while (index + 1 < _partitions.Offsets.Length && _partitions.Offsets[index + 1] == position)
            {
                index++;
            }

            return index;
        }

        return ~index - 1;
    }
}
