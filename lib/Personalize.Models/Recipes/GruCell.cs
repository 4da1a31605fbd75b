using Personalize.Models.Scoring;

namespace Personalize.Models.Recipes;

/// <summary>
/// One GRU layer's step in plain C#, with torch.nn.GRU's equations and weight layout (rows: reset, update, new):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr); z = σ(W_iz x + b_iz + W_hz h + b_hz);
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h.
/// Where the weights never mix some runs of units (a mean of networks served as one, whose GRUs sit side by side with
/// block-diagonal weights), each run steps as a GRU of its own: the zeros between them are never multiplied.
/// </summary>
public sealed class GruCell
{
    private readonly Block[] _blocks;

    public GruCell(float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh, int inputSize, int hiddenSize)
    {
        if (weightIh.Length != 3 * hiddenSize * inputSize || weightHh.Length != 3 * hiddenSize * hiddenSize
            || biasIh.Length != 3 * hiddenSize || biasHh.Length != 3 * hiddenSize)
        {
            throw new InvalidDataException($"GRU weights do not fit input size {inputSize} and hidden size {hiddenSize}.");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        var cuts = inputSize == hiddenSize ? Cuts(weightIh, weightHh, hiddenSize) : [0, hiddenSize];
        _blocks = [.. cuts.Zip(cuts.Skip(1), (start, end) => Block.Cut(weightIh, weightHh, biasIh, biasHh, inputSize, hiddenSize, start, end - start))];
    }

    public int InputSize { get; }

    public int HiddenSize { get; }

    /// <summary>How many independent GRUs the weights hold side by side (1 for a plain network).</summary>
    public int Blocks => _blocks.Length;

    /// <summary>Advances the hidden state <paramref name="h"/> in place by one input.</summary>
    public void Step(ReadOnlySpan<float> x, Span<float> h)
    {
        foreach (var block in _blocks)
        {
            // A block reads its own units of the input only when the input is as wide as the state (else it is whole).
            block.Step(_blocks.Length == 1 ? x : x.Slice(block.Start, block.Size), h.Slice(block.Start, block.Size));
        }
    }

    /// <summary>
    /// The unit indices where the state splits into runs that no weight connects: a cut at p is valid when no
    /// non-zero weight of any gate links a unit before p to one from p on, in either matrix. Always 0 and hidden.
    /// </summary>
    private static int[] Cuts(float[] weightIh, float[] weightHh, int hidden)
    {
        // crossing[p] counts the units whose links span the cut at p.
        var crossing = new int[hidden + 1];
        for (var unit = 0; unit < hidden; unit++)
        {
            var (low, high) = (unit, unit);
            for (var gate = 0; gate < 3; gate++)
            {
                var row = ((gate * hidden) + unit) * hidden;
                foreach (var weights in new[] { weightIh, weightHh })
                {
                    var span = weights.AsSpan(row, hidden);
                    var first = span.IndexOfAnyExcept(0f);
                    if (first >= 0)
                    {
                        low = Math.Min(low, first);
                        high = Math.Max(high, span.LastIndexOfAnyExcept(0f));
                    }
                }
            }

            crossing[low + 1]++;
            crossing[high + 1]--;
        }

        var cuts = new List<int> { 0 };
        var open = 0;
        for (var p = 1; p < hidden; p++)
        {
            open += crossing[p];
            if (open == 0)
            {
                cuts.Add(p);
            }
        }

        cuts.Add(hidden);
        return [.. cuts];
    }

    private sealed class Block(int start, int size, float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh)
    {
        public int Start => start;

        public int Size => size;

        /// <summary>Units [start, start + size) of every gate: their rows, and of each row the columns of the same units.</summary>
        public static Block Cut(float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh, int inputSize, int hidden, int start, int size)
        {
            var whole = size == hidden;
            var columns = whole ? inputSize : size;
            var ih = new float[3 * size * columns];
            var hh = new float[3 * size * size];
            var bi = new float[3 * size];
            var bh = new float[3 * size];
            for (var gate = 0; gate < 3; gate++)
            {
                for (var unit = 0; unit < size; unit++)
                {
                    var row = (gate * hidden) + start + unit;
                    var to = (gate * size) + unit;
                    weightIh.AsSpan((row * inputSize) + (whole ? 0 : start), columns).CopyTo(ih.AsSpan(to * columns));
                    weightHh.AsSpan((row * hidden) + start, size).CopyTo(hh.AsSpan(to * size));
                    bi[to] = biasIh[row];
                    bh[to] = biasHh[row];
                }
            }

            return new Block(start, size, ih, hh, bi, bh);
        }

        public void Step(ReadOnlySpan<float> x, Span<float> h)
        {
            Span<float> gi = size <= 1024 ? stackalloc float[3 * size] : new float[3 * size];
            Span<float> gh = size <= 1024 ? stackalloc float[3 * size] : new float[3 * size];
            ItemLogits.Compute(weightIh, biasIh, x, gi);
            ItemLogits.Compute(weightHh, biasHh, h, gh);

            for (var j = 0; j < size; j++)
            {
                var r = Sigmoid(gi[j] + gh[j]);
                var z = Sigmoid(gi[size + j] + gh[size + j]);
                var n = MathF.Tanh(gi[(2 * size) + j] + (r * gh[(2 * size) + j]));
                h[j] = ((1 - z) * n) + (z * h[j]);
            }
        }

        private static float Sigmoid(float value) => 1f / (1f + MathF.Exp(-value));
    }
}
