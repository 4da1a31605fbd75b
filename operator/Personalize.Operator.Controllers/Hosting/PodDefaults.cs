using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Personalize.Api;

namespace Personalize.Operator.Controllers.Hosting;

/// <summary>
/// What the Helm chart sets for the pods the operator creates: trainer defaults in spec.resources' shape
/// (PERSONALIZE_TRAINER_DEFAULTS), what GPU jobs add (PERSONALIZE_TRAINER_GPU_DEFAULTS), the CUDA trainer image
/// (PERSONALIZE_TRAINER_CUDA_IMAGE) and the runtime pods' resources and scheduling (PERSONALIZE_RUNTIME_POD).
/// </summary>
public sealed record PodDefaults
{
    public JobResources? Trainer { get; init; }

    public JobResources? TrainerGpu { get; init; }

    public string? TrainerCudaImage { get; init; }

    public RuntimePod? Runtime { get; init; }

    public static PodDefaults FromEnvironment(Func<string, string?> variable) => new()
    {
        Trainer = Parse<JobResources>(variable, "PERSONALIZE_TRAINER_DEFAULTS"),
        TrainerGpu = Parse<JobResources>(variable, "PERSONALIZE_TRAINER_GPU_DEFAULTS"),
        TrainerCudaImage = variable("PERSONALIZE_TRAINER_CUDA_IMAGE") is { Length: > 0 } image ? image : null,
        Runtime = Parse<RuntimePod>(variable, "PERSONALIZE_RUNTIME_POD"),
    };

    /// <summary>
    /// A job's resources: each field the resource sets wins over the default. Jobs that end up with GPUs also get the
    /// GPU node selector entries and tolerations.
    /// </summary>
    public JobResources Resolve(JobResources? requested)
    {
        var defaults = Trainer ?? new JobResources();
        var resolved = new JobResources
        {
            Gpus = requested?.Gpus ?? defaults.Gpus,
            Cpu = requested?.Cpu ?? defaults.Cpu,
            Memory = requested?.Memory ?? defaults.Memory,
            NodeSelector = requested?.NodeSelector ?? defaults.NodeSelector,
            Tolerations = requested?.Tolerations ?? defaults.Tolerations,
            ActiveDeadlineSeconds = requested?.ActiveDeadlineSeconds ?? defaults.ActiveDeadlineSeconds,
            BackoffLimit = requested?.BackoffLimit ?? defaults.BackoffLimit,
        };
        if (resolved.Gpus is > 0 && TrainerGpu is { } gpu)
        {
            resolved.NodeSelector = Merge(resolved.NodeSelector, gpu.NodeSelector);
            resolved.Tolerations = [.. resolved.Tolerations ?? [], .. gpu.Tolerations ?? []];
        }

        return resolved;
    }

    /// <summary>The CUDA image for jobs with GPUs when one is configured, else the CPU trainer image.</summary>
    public string TrainerImage(JobResources resolved, string cpuImage) =>
        resolved.Gpus is > 0 && TrainerCudaImage is { } cuda ? cuda : cpuImage;

    private static Dictionary<string, string>? Merge(Dictionary<string, string>? first, Dictionary<string, string>? second) =>
        second is not { Count: > 0 } ? first : new Dictionary<string, string>((first ?? []).Concat(second).GroupBy(p => p.Key).Select(g => g.Last()));

    private static T? Parse<T>(Func<string, string?> variable, string name)
        where T : class
    {
        if (variable(name) is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            return KubernetesJson.Deserialize<T>(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{name} is not valid JSON for {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}

/// <summary>Resources and scheduling of campaign runtime pods.</summary>
public sealed class RuntimePod
{
    [JsonPropertyName("resources")]
    public V1ResourceRequirements? Resources { get; set; }

    [JsonPropertyName("nodeSelector")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    [JsonPropertyName("tolerations")]
    public List<V1Toleration>? Tolerations { get; set; }
}
