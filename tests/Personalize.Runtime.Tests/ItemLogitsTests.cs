using Personalize.Models.Scoring;
using Xunit;

namespace Personalize.Runtime.Tests;

/// <summary>The serving kernel (Personalize.Models.Scoring.ItemLogits) against the plain definition.</summary>
public sealed class ItemLogitsTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(7, 64)]
    [InlineData(1001, 128)]
    [InlineData(13, 43)]
    public void ComputeMatchesRowByRowDotProducts(int rows, int hidden)
    {
        var random = new Random(rows * hidden);
        var items = Enumerable.Range(0, rows * hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        var state = Enumerable.Range(0, hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var logits = new float[rows];
        ItemLogits.Compute(items, bias, state, logits);
        for (var row = 0; row < rows; row++)
        {
            double expected = bias[row];
            for (var k = 0; k < hidden; k++)
            {
                expected += items[(row * hidden) + k] * (double)state[k];
            }

            Assert.Equal(expected, logits[row], 4);
        }
    }

    [Fact]
    public void SoftmaxNormaliserSumsExpOverAMillionLogits()
    {
        var logits = Enumerable.Range(0, 1_000_000).Select(i => (float)Math.Sin(i) * 5).ToArray();
        var (max, sum) = ItemLogits.SoftmaxNormaliser(logits, new float[logits.Length]);
        var expectedMax = logits.Max();
        var expected = logits.Sum(l => Math.Exp(l - expectedMax));
        Assert.Equal(expectedMax, max);
        Assert.Equal(1.0, sum / expected, 4);
    }
}
