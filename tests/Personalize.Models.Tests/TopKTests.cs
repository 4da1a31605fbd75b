using Personalize.Models.Scoring;

namespace Personalize.Models.Tests;

public sealed class TopKTests
{
    [Fact]
    public void Largest_EqualsAFullSort_OnRandomScoresWithTies()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 5000).Select(_ => (float)random.Next(300)).ToArray();

        var top = TopK.Largest(scores, 40);

        var expected = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(40);
        Assert.Equal(expected, top);
    }

    [Fact]
    public void Largest_SkipsRejectedEntries_AndReturnsFewerWhenTooFewPass()
    {
        float[] scores = [5, 9, 1, 7, 3];

        Assert.Equal([3, 0], TopK.Largest(scores, 2, i => i != 1));
        Assert.Equal([1, 3], TopK.Largest(scores, 10, i => i % 2 == 1));
        Assert.Empty(TopK.Largest(scores, 0));
    }
}
