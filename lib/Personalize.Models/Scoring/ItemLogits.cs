using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Personalize.Models.Scoring;

/// <summary>
/// The serving hot path: every item's logit for one user state (a matrix-vector product over the item vectors) and
/// the softmax normaliser. Four rows share each load of the state and the loop has no per-row call, so a 100k x 64
/// catalogue is bound by memory bandwidth, not by instruction count.
/// </summary>
public static class ItemLogits
{
    /// <summary>logits[row] = items[row] · state + bias[row], items row-major [logits.Length, state.Length].</summary>
    public static void Compute(ReadOnlySpan<float> items, ReadOnlySpan<float> bias, ReadOnlySpan<float> state, Span<float> logits)
    {
        var hidden = state.Length;
        var rows = logits.Length;
        if (items.Length < rows * hidden || bias.Length < rows)
        {
            throw new ArgumentException($"items must hold {rows} rows of {hidden} and bias {rows} entries.");
        }

        var row = 0;
        if (Vector256.IsHardwareAccelerated && hidden % Vector256<float>.Count == 0)
        {
            ref var item = ref MemoryMarshal.GetReference(items);
            ref var s = ref MemoryMarshal.GetReference(state);
            for (; row + 4 <= rows; row += 4)
            {
                var a0 = Vector256<float>.Zero;
                var a1 = Vector256<float>.Zero;
                var a2 = Vector256<float>.Zero;
                var a3 = Vector256<float>.Zero;
                ref var r0 = ref Unsafe.Add(ref item, row * hidden);
                for (var k = 0; k < hidden; k += Vector256<float>.Count)
                {
                    var sv = Vector256.LoadUnsafe(ref s, (nuint)k);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)k), sv, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)(k + hidden)), sv, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)(k + (2 * hidden))), sv, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)(k + (3 * hidden))), sv, a3);
                }

                logits[row] = Vector256.Sum(a0) + bias[row];
                logits[row + 1] = Vector256.Sum(a1) + bias[row + 1];
                logits[row + 2] = Vector256.Sum(a2) + bias[row + 2];
                logits[row + 3] = Vector256.Sum(a3) + bias[row + 3];
            }
        }

        for (; row < rows; row++)
        {
            logits[row] = Logit(items.Slice(row * hidden, hidden), bias[row], state);
        }
    }

    /// <summary>
    /// One item's logit, bit for bit what <see cref="Compute"/> gives that row (the same fused multiply-adds per lane,
    /// summed the same way), so re-scoring a candidate orders near-ties exactly as scoring the whole catalogue does.
    /// </summary>
    public static float Logit(ReadOnlySpan<float> item, float bias, ReadOnlySpan<float> state)
    {
        var hidden = state.Length;
        if (!Vector256.IsHardwareAccelerated || hidden % Vector256<float>.Count != 0)
        {
            return TensorPrimitives.Dot(item[..hidden], state) + bias;
        }

        var sum = Vector256<float>.Zero;
        for (var k = 0; k < hidden; k += Vector256<float>.Count)
        {
            sum = Vector256.FusedMultiplyAdd(Vector256.Create(item.Slice(k, Vector256<float>.Count)), Vector256.Create(state.Slice(k, Vector256<float>.Count)), sum);
        }

        return Vector256.Sum(sum) + bias;
    }

    /// <summary>max and Σ exp(logit − max) over all logits, so a softmax score is exp(logit − max) / sum.</summary>
    public static (float Max, double Sum) SoftmaxNormaliser(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        // Chunked float sums added in double keep a million small terms accurate.
        double sum = 0;
        const int chunk = 4096;
        for (var start = 0; start < logits.Length; start += chunk)
        {
            sum += TensorPrimitives.Sum(scratch.Slice(start, Math.Min(chunk, logits.Length - start)));
        }

        return (max, sum);
    }
}
