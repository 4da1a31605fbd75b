using Personalize.Models.Recipes;

namespace Personalize.Models.Tests;

public sealed class GruCellTests
{
    [Fact]
    public void GrusSideBySide_StepAsTheirOwnGrus_AndAPlainGruStaysOneBlock()
    {
        var random = new Random(7);
        var a = Random(random, 5);
        var b = Random(random, 3);
        var c = Random(random, 4);
        var sideBySide = SideBySide([a, b, c]);
        Assert.Equal(3, sideBySide.Blocks);
        Assert.Equal(1, Cell(a).Blocks);

        var (stateA, stateB, stateC, state) = (new float[5], new float[3], new float[4], new float[12]);
        for (var step = 0; step < 20; step++)
        {
            var x = Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            Cell(a).Step(x.AsSpan(0, 5), stateA);
            Cell(b).Step(x.AsSpan(5, 3), stateB);
            Cell(c).Step(x.AsSpan(8, 4), stateC);
            sideBySide.Step(x, state);
        }

        float[] expected = [.. stateA, .. stateB, .. stateC];
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(expected[i], state[i], 1e-5f));
    }

    [Fact]
    public void OneWeightLinkingTwoRuns_KeepsThemOneBlock()
    {
        var random = new Random(8);
        var weights = SideBySideWeights([Random(random, 3), Random(random, 3)]);
        // The update gate of unit 1 reads unit 4 of the state.
        weights.Hh[((6 + 1) * 6) + 4] = 0.5f;

        Assert.Equal(1, new GruCell(weights.Ih, weights.Hh, weights.BiasIh, weights.BiasHh, 6, 6).Blocks);
    }

    private sealed record Weights(float[] Ih, float[] Hh, float[] BiasIh, float[] BiasHh, int Hidden);

    private static Weights Random(Random random, int hidden)
    {
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f)];
        return new Weights(Values(3 * hidden * hidden), Values(3 * hidden * hidden), Values(3 * hidden), Values(3 * hidden), hidden);
    }

    private static GruCell Cell(Weights w) => new(w.Ih, w.Hh, w.BiasIh, w.BiasHh, w.Hidden, w.Hidden);

    private static GruCell SideBySide(Weights[] grus) => Cell(SideBySideWeights(grus));

    /// <summary>torch.nn.GRU's layout for GRUs side by side: per gate, the weights block-diagonal and the biases stacked.</summary>
    private static Weights SideBySideWeights(Weights[] grus)
    {
        var hidden = grus.Sum(g => g.Hidden);
        var (ih, hh, bi, bh) = (new float[3 * hidden * hidden], new float[3 * hidden * hidden], new float[3 * hidden], new float[3 * hidden]);
        var offset = 0;
        foreach (var gru in grus)
        {
            for (var gate = 0; gate < 3; gate++)
            {
                for (var unit = 0; unit < gru.Hidden; unit++)
                {
                    var from = (gate * gru.Hidden) + unit;
                    var to = (gate * hidden) + offset + unit;
                    gru.Ih.AsSpan(from * gru.Hidden, gru.Hidden).CopyTo(ih.AsSpan((to * hidden) + offset));
                    gru.Hh.AsSpan(from * gru.Hidden, gru.Hidden).CopyTo(hh.AsSpan((to * hidden) + offset));
                    bi[to] = gru.BiasIh[from];
                    bh[to] = gru.BiasHh[from];
                }
            }

            offset += gru.Hidden;
        }

        return new Weights(ih, hh, bi, bh, hidden);
    }
}
