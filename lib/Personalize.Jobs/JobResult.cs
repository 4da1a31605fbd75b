using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>What a trainer run reports when it ends, success or failure; the operator copies it into status.</summary>
public sealed class JobResult
{
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";

    [JsonPropertyName("status")]
    public string Status { get; set; } = Succeeded;

    [Description("Why the run failed, in words a user can act on (copied into status.failureReason).")]
    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }

    [JsonPropertyName("startedAt")]
    public DateTimeOffset StartedAt { get; set; }

    [JsonPropertyName("finishedAt")]
    public DateTimeOffset FinishedAt { get; set; }

    [JsonPropertyName("import")]
    public ImportJobResult? Import { get; set; }

    [JsonPropertyName("train")]
    public TrainJobResult? Train { get; set; }

    [JsonPropertyName("batchInference")]
    public BatchInferenceJobResult? BatchInference { get; set; }
}
