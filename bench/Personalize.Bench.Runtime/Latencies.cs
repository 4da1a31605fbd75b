namespace Personalize.Bench.Runtime;

/// <summary>Latency samples in microseconds and their percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> _micros = [];

    public int Count => _micros.Count;

    public void Add(double micros) => _micros.Add(micros);

    public void AddRange(Latencies other) => _micros.AddRange(other._micros);

    public double Percentile(double p) => NearestRank([.. _micros.Order()], p);

    /// <summary>The nearest-rank <paramref name="p"/>th percentile of ascending <paramref name="sorted"/> values; NaN when there are none.</summary>
    public static double NearestRank(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
