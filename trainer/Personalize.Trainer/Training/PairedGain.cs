namespace Personalize.Trainer.Training;

/// <summary>
/// How much one model beats another on the same users: the mean per-user difference and its standard error. On
/// validation users, a choice that costs something (extra parameters, serving time) is made only for a gain beyond that
/// noise; the training bench reads its test users' ratios against a baseline with it.
/// </summary>
internal readonly record struct PairedGain(double Gain, double StandardError, int Users)
{
    public static PairedGain Of(IReadOnlyList<double> with, IReadOnlyList<double> without)
    {
        var differences = with.Zip(without, (a, b) => a - b).ToArray();
        var gain = differences.Length == 0 ? 0 : differences.Average();
        var standardError = differences.Length < 2 ? 0 : Math.Sqrt(differences.Sum(d => (d - gain) * (d - gain)) / (differences.Length - 1) / differences.Length);
        return new PairedGain(gain, standardError, differences.Length);
    }

    public bool BeyondNoise => Users > 0 && Gain > StandardError;
}
