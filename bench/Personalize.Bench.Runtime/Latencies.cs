namespace Personalize.Bench.Runtime;

/// <summary>Latency samples in microseconds and their percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> _micros = [];

    public int Count => _micros.Count;

    public void Add(double micros) => _micros.Add(micros);

    public void AddRange(Latencies other) => _micros.AddRange(other._micros);

    public double Percentile(double p)
    {
        if (_micros.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _micros.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
