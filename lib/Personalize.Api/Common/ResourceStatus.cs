using System.Text.Json.Serialization;

namespace Personalize.Api;

/// <summary>The status fields every kind shares, in Amazon Personalize's words where it has them.</summary>
public class ResourceStatus
{
    [Description("Lifecycle in Personalize's status words: CREATE PENDING, CREATE IN_PROGRESS, ACTIVE, CREATE FAILED, DELETE PENDING, DELETE IN_PROGRESS.")]
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [Description("Personalize-style identifier: arn:k8s:personalize:<namespace>::<type>/<name>.")]
    [JsonPropertyName("arn")]
    public string? Arn { get; set; }

    [Description("The metadata.generation this status describes.")]
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [Description("Why the resource is CREATE FAILED, in words a user can act on.")]
    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }

    [JsonPropertyName("creationDateTime")]
    public DateTimeOffset? CreationDateTime { get; set; }

    [JsonPropertyName("lastUpdatedDateTime")]
    public DateTimeOffset? LastUpdatedDateTime { get; set; }

    [Description("The immutable spec fields as first accepted (JSON by field name): an edit of one is refused and named in the Terminal condition, and the resource keeps working with these values.")]
    [JsonPropertyName("acceptedImmutableFields")]
    public Dictionary<string, string>? AcceptedImmutableFields { get; set; }

    [Description("Standard Kubernetes conditions: Ready for every kind, Succeeded for jobs, Terminal when an edit is refused.")]
    [JsonPropertyName("conditions")]
    public List<Condition> Conditions { get; set; } = [];
}

/// <summary>A Kubernetes condition (the metav1.Condition shape).</summary>
public sealed class Condition
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = string.Empty;

    [Description("True, False or Unknown.")]
    [JsonPropertyName("status")]
    public string Status { get; set; } = ConditionStatus.Unknown;

    [Description("A CamelCase word a tool can match on.")]
    [JsonPropertyName("reason")]
    public string Reason { get; set; } = string.Empty;

    [JsonPropertyName("message")]
    public string Message { get; set; } = string.Empty;

    [JsonPropertyName("lastTransitionTime")]
    public DateTimeOffset LastTransitionTime { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}

public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}

public static class ConditionTypes
{
    /// <summary>The summary condition of every kind: the resource is usable.</summary>
    public const string Ready = "Ready";

    /// <summary>Jobs only: the job finished and did what it was asked.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>True while an edit is refused (an immutable field changed); the message names the field.</summary>
    public const string Terminal = "Terminal";

    /// <summary>Campaigns with automatic updates only: False while the latest update failed (the previous model keeps serving); the message names the cause.</summary>
    public const string AutoUpdated = "AutoUpdated";
}
