using System.Numerics.Tensors;
using Personalize.Models.Scoring;

namespace Personalize.Models.Recipes;

/// <summary>
/// One GRU layer's step in plain C#, with torch.nn.GRU's equations and weight layout (rows: reset, update, new):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr); z = σ(W_iz x + b_iz + W_hz h + b_hz);
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
public sealed class GruCell
{
    private readonly float[] _weightIh;
    private readonly float[] _weightHh;
    private readonly float[] _biasIh;
    private readonly float[] _biasHh;

    public GruCell(float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh, int inputSize, int hiddenSize)
    {
        if (weightIh.Length != 3 * hiddenSize * inputSize || weightHh.Length != 3 * hiddenSize * hiddenSize
            || biasIh.Length != 3 * hiddenSize || biasHh.Length != 3 * hiddenSize)
        {
            throw new InvalidDataException($"GRU weights do not fit input size {inputSize} and hidden size {hiddenSize}.");
        }

        _weightIh = weightIh;
        _weightHh = weightHh;
        _biasIh = biasIh;
        _biasHh = biasHh;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
    }

    public int InputSize { get; }

    public int HiddenSize { get; }

    /// <summary>Advances the hidden state <paramref name="h"/> in place by one input.</summary>
    public void Step(ReadOnlySpan<float> x, Span<float> h)
    {
        var size = HiddenSize;
        Span<float> gi = size <= 1024 ? stackalloc float[3 * size] : new float[3 * size];
        Span<float> gh = size <= 1024 ? stackalloc float[3 * size] : new float[3 * size];
        ItemLogits.Compute(_weightIh, _biasIh, x, gi);
        ItemLogits.Compute(_weightHh, _biasHh, h, gh);

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
