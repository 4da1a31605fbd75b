namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>How each controller runs: concurrency, backoff, and how long it may finish in-flight work on shutdown.</summary>
public sealed record ControllerOptions
{
    /// <summary>Reconciles of different keys of one kind that may run at once.</summary>
    public int Workers { get; init; } = 4;

    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(20);
}
