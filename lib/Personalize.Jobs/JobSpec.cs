using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>
/// The one file a trainer run reads (mounted from a ConfigMap as job.json, or written by local mode): which verb,
/// that verb's inputs, and where to write its result. Object-store credentials never travel in it (they come from
/// the environment: a Secret in cluster mode).
/// </summary>
public sealed class JobSpec
{
    public const string FileName = "job.json";

    [JsonPropertyName("verb")]
    public string Verb { get; set; } = string.Empty;

    [JsonPropertyName("jobName")]
    public string JobName { get; set; } = string.Empty;

    [Description("s3:// URI where the trainer writes the JobResult JSON the operator reads back.")]
    [JsonPropertyName("resultUri")]
    public string ResultUri { get; set; } = string.Empty;

    [Description("s3:// URI of the progress file (JSON lines); the last line is the latest progress.")]
    [JsonPropertyName("progressUri")]
    public string? ProgressUri { get; set; }

    [JsonPropertyName("import")]
    public ImportJobSpec? Import { get; set; }

    [JsonPropertyName("train")]
    public TrainJobSpec? Train { get; set; }

    [JsonPropertyName("batchInference")]
    public BatchInferenceJobSpec? BatchInference { get; set; }
}

public static class JobVerbs
{
    public const string Import = "import";
    public const string Train = "train";
    public const string BatchInfer = "batch-infer";
}

/// <summary>Documentation on a contract field; kept as an attribute so generated docs can show it.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DescriptionAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}
