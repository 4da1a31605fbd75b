namespace Personalize.Operator.Controllers.Workloads;

/// <summary>
/// How many runtime replicas a campaign runs: never fewer than minProvisionedTPS needs, more when observed load
/// runs replicas above 80% of their capacity, and back down (to the minimum at most) once load falls below 50%,
/// the gap keeping it from flapping.
/// </summary>
public static class CampaignScaler
{
    private const double ScaleUpUtilization = 0.8;
    private const double ScaleDownUtilization = 0.5;

    public static int MinimumReplicas(int minProvisionedTps, double tpsPerReplica) =>
        Math.Max(1, (int)Math.Ceiling(minProvisionedTps / tpsPerReplica));

    public static int Desired(int current, int minimum, int maximum, double? observedTps, double tpsPerReplica)
    {
        var floor = Math.Min(minimum, maximum);
        current = Math.Clamp(current, floor, Math.Max(floor, maximum));
        if (observedTps is not { } tps)
        {
            return current;
        }

        var target = Math.Max(floor, (int)Math.Ceiling(tps / (tpsPerReplica * ScaleUpUtilization)));
        if (tps > current * tpsPerReplica * ScaleUpUtilization)
        {
            return Math.Min(Math.Max(floor, maximum), Math.Max(current, target));
        }

        if (tps < current * tpsPerReplica * ScaleDownUtilization)
        {
            return Math.Max(floor, Math.Min(current, target));
        }

        return current;
    }

    /// <summary>
    /// A scale-down waits until the last scale-up is <paramref name="window"/> old: replicas still starting take CPU and
    /// load from the ready ones, which reads as less load, and scaling down on it makes a campaign flap between sizes.
    /// </summary>
    public static int Stabilized(int current, int desired, DateTimeOffset? lastScaleUp, DateTimeOffset now, TimeSpan window) =>
        desired < current && lastScaleUp is { } up && now - up < window ? current : desired;

    /// <summary>
    /// How many replicas a node drain may evict at once: those above the minimum, and never fewer than one, so a
    /// drain always makes progress (a budget that allows none would block every drain of a one-replica campaign).
    /// </summary>
    public static int MaxUnavailable(int replicas, int minimum) => Math.Max(1, replicas - minimum);

    /// <summary>
    /// The requests per second to plan one replica for: what it sustains on its model (<paramref name="measured"/>, or
    /// the configured figure before a measurement), but never more than its rate limit. A replica sheds above the
    /// limit, so planning with a larger measured capacity would wait for load it can never report.
    /// </summary>
    public static double PlannedPerReplica(double? measured, int minProvisionedTps, double tpsPerReplica, int maxReplicas) =>
        Math.Min(measured ?? tpsPerReplica, RequestsPerSecondPerReplica(minProvisionedTps, tpsPerReplica, maxReplicas));

    /// <summary>
    /// The rate each replica serves before it sheds with 429 (no queue, so overload never piles up latency): what
    /// one replica sustains, or more when maxReplicas caps the replicas below what minProvisionedTPS needs, so the
    /// floor of replicas still serves minProvisionedTPS. It does not follow the current replica count, so scaling
    /// never changes the runtime's config (which would roll every pod).
    /// </summary>
    public static int RequestsPerSecondPerReplica(int minProvisionedTps, double tpsPerReplica, int maxReplicas)
    {
        var floor = Math.Max(1, Math.Min(MinimumReplicas(minProvisionedTps, tpsPerReplica), maxReplicas));
        return (int)Math.Ceiling(Math.Max(tpsPerReplica, (double)minProvisionedTps / floor));
    }
}
