using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Personalize.Models.Scoring;

/// <summary>
/// Item vectors as int8 with one float scale per row (x ≈ scale · q, |q| ≤ 127): a quarter of float32's bytes, so a
/// pass over a catalogue that does not fit in cache streams 4x less memory. The query is quantised to int16 (far
/// finer than the items), and rows are scored by integer multiply-add (vpmaddwd) with exact int32 sums. These logits
/// are approximate; callers re-score a short candidate list in float32.
/// </summary>
public sealed class QuantizedItems
{
    private readonly sbyte[] _values;
    private readonly float[] _scales;

    /// <summary>Slot i holds row <paramref name="order"/>[i] when an order is given (an ANN index's list order), else row i.</summary>
    public QuantizedItems(ReadOnlySpan<float> items, int hidden, int[]? order = null)
    {
        Hidden = hidden;
        Rows = items.Length / hidden;
        _values = new sbyte[Rows * hidden];
        _scales = new float[Rows];
        Span<float> scaled = new float[hidden];
        for (var row = 0; row < Rows; row++)
        {
            var vector = items.Slice((order?[row] ?? row) * hidden, hidden);
            var max = Math.Abs(TensorPrimitives.MaxMagnitude(vector));
            var scale = max > 0 ? max / 127f : 1f;
            _scales[row] = scale;
            TensorPrimitives.Divide(vector, scale, scaled);
            for (var k = 0; k < hidden; k++)
            {
                _values[(row * hidden) + k] = (sbyte)Math.Clamp(MathF.Round(scaled[k]), -127, 127);
            }
        }
    }

    public int Rows { get; }

    public int Hidden { get; }

    /// <summary>Bytes the table streams per full pass (values and scales).</summary>
    public long Bytes => _values.LongLength + (_scales.LongLength * sizeof(float));

    /// <summary>A float query as int16 (q ≈ state / scale) and its scale, for <see cref="Compute"/>.</summary>
    public static float QuantizeQuery(ReadOnlySpan<float> state, Span<short> query)
    {
        var max = Math.Abs(TensorPrimitives.MaxMagnitude(state));
        var scale = max > 0 ? max / short.MaxValue : 1f;
        for (var k = 0; k < state.Length; k++)
        {
            query[k] = (short)Math.Clamp(MathF.Round(state[k] / scale), -short.MaxValue, short.MaxValue);
        }

        return scale;
    }

    /// <summary>Approximate logits of rows [firstRow, firstRow + logits.Length) for a quantised query: scale_row · queryScale · (q_row · query) + bias.</summary>
    public void Compute(int firstRow, ReadOnlySpan<short> query, float queryScale, ReadOnlySpan<float> bias, Span<float> logits)
    {
        var hidden = Hidden;
        var rows = logits.Length;
        Span<int> dots = rows <= 4096 ? stackalloc int[rows] : new int[rows];
        ref var values = ref MemoryMarshal.GetArrayDataReference(_values);
        var row = 0;
        if (Avx2.IsSupported && hidden % Vector128<sbyte>.Count == 0)
        {
            ref var q = ref MemoryMarshal.GetReference(query);
            for (; row + 4 <= rows; row += 4)
            {
                var a0 = Vector256<int>.Zero;
                var a1 = Vector256<int>.Zero;
                var a2 = Vector256<int>.Zero;
                var a3 = Vector256<int>.Zero;
                ref var r0 = ref Unsafe.Add(ref values, (firstRow + row) * hidden);
                for (var k = 0; k < hidden; k += Vector128<sbyte>.Count)
                {
                    // 16 int8 widened to int16; multiply-add of adjacent pairs gives 8 exact int32 partial sums.
                    var qv = Vector256.LoadUnsafe(ref q, (nuint)k);
                    a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, (nuint)k)), qv));
                    a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, (nuint)(k + hidden))), qv));
                    a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, (nuint)(k + (2 * hidden)))), qv));
                    a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, (nuint)(k + (3 * hidden)))), qv));
                }

                // Four horizontal sums at once: pairwise adds within each 128-bit lane, then the two lanes.
                var pairs = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
                Sse2.Add(pairs.GetLower(), pairs.GetUpper()).StoreUnsafe(ref MemoryMarshal.GetReference(dots), (nuint)row);
            }
        }

        // Other CPUs and odd sizes: the same integer sums, one row at a time.
        for (; row < rows; row++)
        {
            var start = (firstRow + row) * hidden;
            var sum = 0;
            for (var k = 0; k < hidden; k++)
            {
                sum += _values[start + k] * query[k];
            }

            dots[row] = sum;
        }

        TensorPrimitives.ConvertTruncating<int, float>(dots, logits);
        TensorPrimitives.Multiply(logits, _scales.AsSpan(firstRow, rows), logits);
        TensorPrimitives.MultiplyAdd(logits, queryScale, bias.Slice(firstRow, rows), logits);
    }
}
