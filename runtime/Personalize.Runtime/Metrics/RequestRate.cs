namespace Personalize.Runtime.Metrics;

/// <summary>Requests per second over a sliding 10-second window of one-second buckets, lock-free on the hot path.</summary>
public sealed class RequestRate
{
    private const int Window = 10;
    private readonly long[] _counts = new long[Window];
    private readonly long[] _seconds = new long[Window];

    public void Record()
    {
        var now = Environment.TickCount64 / 1000;
        var slot = (int)(now % Window);
        if (Interlocked.Exchange(ref _seconds[slot], now) != now)
        {
            Interlocked.Exchange(ref _counts[slot], 0);
        }

        Interlocked.Increment(ref _counts[slot]);
    }

    public double PerSecond()
    {
        var now = Environment.TickCount64 / 1000;
        long total = 0;
        for (var i = 0; i < Window; i++)
        {
            // The current second is still filling, so the window is the previous full seconds plus it.
            if (now - Volatile.Read(ref _seconds[i]) < Window)
            {
                total += Volatile.Read(ref _counts[i]);
            }
        }

        return total / (double)Window;
    }
}
