using Personalize.Models.Scoring;

namespace Personalize.Models.Tests;

/// <summary>
/// Re-scoring a candidate in float32 (int8 scoring, the ANN index) gives bit for bit the logit exact scoring gives, so
/// two items whose logits differ in the last bits are ordered the same by every scoring method.
/// </summary>
public sealed class RescoringTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(43)]
    public void CandidateLogit_IsExactScoringsLogit_BitForBit(int hidden)
    {
        var random = new Random(5);
        const int rows = 2001;
        var items = Enumerable.Range(0, rows * hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        var scorer = new CatalogueScorer(items, bias, hidden, quantize: false);
        for (var query = 0; query < 20; query++)
        {
            var state = Enumerable.Range(0, hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var logits = new float[rows];
            ItemLogits.Compute(items, bias, state, logits);
            for (var row = 0; row < rows; row++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(logits[row]), BitConverter.SingleToInt32Bits(scorer.Logit(row, state)));
            }
        }
    }
}
