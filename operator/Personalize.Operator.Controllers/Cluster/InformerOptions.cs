namespace Personalize.Operator.Controllers.Cluster;

/// <summary>Timings of the list-then-watch caches.</summary>
public sealed record InformerOptions
{
    /// <summary>How often every cached object is replayed to its controller (drift detection), as controller-runtime's SyncPeriod.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The server closes each watch after this long; the cache re-watches from its last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay after a failed list or watch; doubles up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(30);
}
