namespace Personalize.Testing;

/// <summary>
/// The clock of a process that runs ahead of (or behind) this one by a fixed amount: real-time objects written or
/// compacted as they would be at another time, with the store's own clock unchanged.
/// </summary>
public sealed class ShiftedTime(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + shift;
}
