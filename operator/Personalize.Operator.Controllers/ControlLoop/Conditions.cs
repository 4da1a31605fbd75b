using Personalize.Api;

namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>Sets metav1.Condition-style conditions: lastTransitionTime moves only when the status flips.</summary>
public static class Conditions
{
    public static void Set(ResourceStatus status, string type, bool? value, string reason, string message, long? observedGeneration, TimeProvider time)
    {
        var text = value switch { true => ConditionStatus.True, false => ConditionStatus.False, null => ConditionStatus.Unknown };
        var existing = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            status.Conditions.Add(new Condition
            {
                Type = type,
                Status = text,
                Reason = reason,
                Message = message,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = Truncate(time.GetUtcNow()),
            });
            return;
        }

        if (existing.Status != text)
        {
            existing.LastTransitionTime = Truncate(time.GetUtcNow());
        }

        existing.Status = text;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = observedGeneration;
    }

    public static void Remove(ResourceStatus status, string type) => status.Conditions.RemoveAll(c => c.Type == type);

    public static Condition? Find(ResourceStatus status, string type) => status.Conditions.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(ResourceStatus status, string type) => Find(status, type)?.Status == ConditionStatus.True;

    // The API server stores times at second precision; keeping ours the same avoids no-op status writes.
    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
