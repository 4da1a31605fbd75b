using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Personalize.Api;

/// <summary>Where and with what a trainer Job runs: its compute, GPUs and scheduling constraints.</summary>
public sealed class JobResources
{
    [Range(0, 16)]
    [Description("NVIDIA GPUs for the trainer pod (nvidia.com/gpu); 0 trains on CPU.")]
    [JsonPropertyName("gpus")]
    public int? Gpus { get; set; }

    [RegularExpression(Quantity.Pattern)]
    [Description("CPU request and limit, e.g. \"2\" or \"500m\".")]
    [JsonPropertyName("cpu")]
    public string? Cpu { get; set; }

    [RegularExpression(Quantity.Pattern)]
    [Description("Memory request and limit, e.g. \"4Gi\".")]
    [JsonPropertyName("memory")]
    public string? Memory { get; set; }

    [JsonPropertyName("nodeSelector")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    [JsonPropertyName("tolerations")]
    public List<Toleration>? Tolerations { get; set; }

    [Range(1, int.MaxValue)]
    [Description("Seconds after which the Job is stopped and the resource fails.")]
    [JsonPropertyName("activeDeadlineSeconds")]
    public long? ActiveDeadlineSeconds { get; set; }

    [Range(0, 10)]
    [Description("How often a failed trainer pod is retried (it resumes from its last checkpoint).")]
    [JsonPropertyName("backoffLimit")]
    public int? BackoffLimit { get; set; }
}

/// <summary>A pod toleration, as in core/v1.</summary>
public sealed class Toleration
{
    [JsonPropertyName("key")]
    public string? Key { get; set; }

    [AllowedValues("Exists", "Equal")]
    [JsonPropertyName("operator")]
    public string? Operator { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [AllowedValues("NoSchedule", "PreferNoSchedule", "NoExecute")]
    [JsonPropertyName("effect")]
    public string? Effect { get; set; }

    [JsonPropertyName("tolerationSeconds")]
    public long? TolerationSeconds { get; set; }
}

public static class Quantity
{
    /// <summary>A Kubernetes resource quantity (decimal or binary SI suffix).</summary>
    public const string Pattern = "^([0-9]+(\\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
}
