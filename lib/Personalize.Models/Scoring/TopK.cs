namespace Personalize.Models.Scoring;

/// <summary>
/// The k best entries of a score vector by partial selection: a bounded min-heap, O(n log k), no full sort. The
/// acceptance test runs only for entries that would enter the heap, so an expensive filter costs little.
/// </summary>
public static class TopK
{
    /// <summary>Indices of the k largest scores that <paramref name="accept"/> allows, best first; ties go to the lower index.</summary>
    public static int[] Largest(ReadOnlySpan<float> scores, int k, Func<int, bool>? accept = null)
    {
        if (k <= 0)
        {
            return [];
        }

        var heap = new int[Math.Min(k, scores.Length)];
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i];
            if (float.IsNaN(score))
            {
                continue;
            }

            if (count == heap.Length && !Better(scores, i, heap[0]))
            {
                continue;
            }

            if (accept is not null && !accept(i))
            {
                continue;
            }

            if (count < heap.Length)
            {
                heap[count] = i;
                SiftUp(scores, heap, count++);
            }
            else
            {
                heap[0] = i;
                SiftDown(scores, heap, count);
            }
        }

        // Popping the worst entry repeatedly fills the result from its end: best first.
        var result = new int[count];
        for (var remaining = count; remaining > 0; remaining--)
        {
            result[remaining - 1] = heap[0];
            heap[0] = heap[remaining - 1];
            SiftDown(scores, heap, remaining - 1);
        }

        return result;
    }

    private static bool Better(ReadOnlySpan<float> scores, int a, int b) => scores[a] > scores[b] || (scores[a] == scores[b] && a < b);

    // The heap root is the worst kept entry.
    private static void SiftUp(ReadOnlySpan<float> scores, int[] heap, int position)
    {
        while (position > 0)
        {
            var parent = (position - 1) / 2;
            if (!Better(scores, heap[parent], heap[position]))
            {
                return;
            }

            (heap[parent], heap[position]) = (heap[position], heap[parent]);
            position = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> scores, int[] heap, int count)
    {
        var position = 0;
        while (true)
        {
            var worst = position;
            var left = (2 * position) + 1;
            var right = left + 1;
            if (left < count && Better(scores, heap[worst], heap[left]))
            {
                worst = left;
            }

            if (right < count && Better(scores, heap[worst], heap[right]))
            {
                worst = right;
            }

            if (worst == position)
            {
                return;
            }

            (heap[worst], heap[position]) = (heap[position], heap[worst]);
            position = worst;
        }
    }
}
