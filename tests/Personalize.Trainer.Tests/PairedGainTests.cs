using Personalize.Trainer.Training;

namespace Personalize.Trainer.Tests;

/// <summary>
/// The paired comparison that validation choices and the training bench's table against tuned EASE read: the mean of
/// the per-user differences and the standard error of that mean, checked against figures worked by hand.
/// </summary>
public sealed class PairedGainTests
{
    [Fact]
    public void TheGainIsTheMeanDifference_AndItsStandardErrorThatOfTheDifferences()
    {
        // Differences 0.1, 0.2, 0.1, 0: mean 0.1, sample variance 0.02 / 3, standard error √(0.02 / 3 / 4).
        var gain = PairedGain.Of([0.5, 0.7, 0.9, 0.3], [0.4, 0.5, 0.8, 0.3]);

        Assert.Equal(0.1, gain.Gain, 12);
        Assert.Equal(Math.Sqrt(0.02 / 3 / 4), gain.StandardError, 12);
        Assert.Equal(4, gain.Users);
        Assert.True(gain.BeyondNoise);
    }

    [Fact]
    public void AModelAgainstItself_OrNoUsers_IsNotBeyondNoise()
    {
        double[] scores = [0.2, 0.6, 0.4];

        Assert.False(PairedGain.Of(scores, scores).BeyondNoise);
        Assert.False(PairedGain.Of([], []).BeyondNoise);
    }

    [Fact]
    public void AGainSmallerThanItsNoise_IsNotBeyondIt()
    {
        // Differences +0.3 and -0.2: mean +0.05, standard error 0.25.
        var gain = PairedGain.Of([0.8, 0.1], [0.5, 0.3]);

        Assert.Equal(0.05, gain.Gain, 12);
        Assert.Equal(0.25, gain.StandardError, 12);
        Assert.False(gain.BeyondNoise);
    }
}
