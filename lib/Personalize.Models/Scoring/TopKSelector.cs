using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Personalize.Models.Scoring;

/// <summary>
/// The k best (index, score) pairs of a stream, by a bounded min-heap: O(n log k), no full sort. Entries can arrive in
/// blocks (one pass over an item table for several queries). The acceptance test runs only for entries that would
/// enter the heap, so an expensive filter costs little. Ties go to the lower index.
/// </summary>
public sealed class TopKSelector
{
    private readonly int[] _indices;
    private readonly float[] _scores;
    private readonly Func<int, bool>? _accept;
    private int _count;

    public TopKSelector(int k, Func<int, bool>? accept = null)
    {
        _indices = new int[Math.Max(0, k)];
        _scores = new float[_indices.Length];
        _accept = accept;
    }

    /// <summary>Any score at or below this cannot enter (it may still tie with the worst kept entry on a higher index).</summary>
    public float Threshold => _count < _indices.Length ? float.NegativeInfinity : _scores[0];

    /// <summary>Offers scores[i] as entry firstIndex + i, for a block of consecutive entries.</summary>
    public void OfferBlock(int firstIndex, ReadOnlySpan<float> scores)
    {
        if (_indices.Length == 0)
        {
            return;
        }

        // Most entries of a large catalogue fall below the threshold once the heap is full: test eight at a time.
        var i = 0;
        ref var first = ref MemoryMarshal.GetReference(scores);
        for (; i + Vector256<float>.Count <= scores.Length; i += Vector256<float>.Count)
        {
            if (Vector256.GreaterThanOrEqualAny(Vector256.LoadUnsafe(ref first, (nuint)i), Vector256.Create(Threshold)))
            {
                for (var j = i; j < i + Vector256<float>.Count; j++)
                {
                    if (scores[j] >= Threshold)
                    {
                        Offer(firstIndex + j, scores[j]);
                    }
                }
            }
        }

        for (; i < scores.Length; i++)
        {
            if (scores[i] >= Threshold)
            {
                Offer(firstIndex + i, scores[i]);
            }
        }
    }

    public void Offer(int index, float score)
    {
        if (_indices.Length == 0 || float.IsNaN(score))
        {
            return;
        }

        if (_count == _indices.Length && !Better(score, index, _scores[0], _indices[0]))
        {
            return;
        }

        if (_accept is not null && !_accept(index))
        {
            return;
        }

        if (_count < _indices.Length)
        {
            _indices[_count] = index;
            _scores[_count] = score;
            SiftUp(_count++);
        }
        else
        {
            _indices[0] = index;
            _scores[0] = score;
            SiftDown(_count);
        }
    }

    /// <summary>The kept indices, best first. Empties the selector.</summary>
    public int[] TakeBestFirst() => TakeBestFirst(out _);

    /// <summary>The kept indices and their scores, best first. Empties the selector.</summary>
    public int[] TakeBestFirst(out float[] scores)
    {
        // Popping the worst entry repeatedly fills the result from its end.
        var result = new int[_count];
        scores = new float[_count];
        for (var remaining = _count; remaining > 0; remaining--)
        {
            result[remaining - 1] = _indices[0];
            scores[remaining - 1] = _scores[0];
            _indices[0] = _indices[remaining - 1];
            _scores[0] = _scores[remaining - 1];
            SiftDown(remaining - 1);
        }

        _count = 0;
        return result;
    }

    private static bool Better(float score, int index, float otherScore, int otherIndex) =>
        score > otherScore || (score == otherScore && index < otherIndex);

    private bool Better(int a, int b) => Better(_scores[a], _indices[a], _scores[b], _indices[b]);

    private void Swap(int a, int b)
    {
        (_indices[a], _indices[b]) = (_indices[b], _indices[a]);
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
    }

    // The heap root is the worst kept entry.
    private void SiftUp(int position)
    {
        while (position > 0)
        {
            var parent = (position - 1) / 2;
            if (!Better(parent, position))
            {
                return;
            }

            Swap(parent, position);
            position = parent;
        }
    }

    private void SiftDown(int count)
    {
        var position = 0;
        while (true)
        {
            var worst = position;
            var left = (2 * position) + 1;
            var right = left + 1;
            if (left < count && Better(worst, left))
            {
                worst = left;
            }

            if (right < count && Better(worst, right))
            {
                worst = right;
            }

            if (worst == position)
            {
                return;
            }

            Swap(worst, position);
            position = worst;
        }
    }
}
