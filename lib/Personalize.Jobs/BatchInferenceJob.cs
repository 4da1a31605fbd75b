using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>Inputs of `personalize-trainer batch-infer`: JSON lines in, `&lt;input&gt;.out` lines out.</summary>
public sealed class BatchInferenceJobSpec
{
    [JsonPropertyName("modelUri")]
    public string ModelUri { get; set; } = string.Empty;

    [Description("s3:// object or prefix of JSON-lines input files.")]
    [JsonPropertyName("inputPath")]
    public string InputPath { get; set; } = string.Empty;

    [Description("s3:// prefix the .out files are written under.")]
    [JsonPropertyName("outputPath")]
    public string OutputPath { get; set; } = string.Empty;

    [JsonPropertyName("numResults")]
    public int NumResults { get; set; } = 25;

    [JsonPropertyName("filterExpression")]
    public string? FilterExpression { get; set; }

    [Description("The dataset group's prefix, for filters that read item metadata or interactions.")]
    [JsonPropertyName("datasetGroupUri")]
    public string? DatasetGroupUri { get; set; }

    [JsonPropertyName("itemExplorationConfig")]
    public Dictionary<string, string> ItemExplorationConfig { get; set; } = [];
}

public sealed class BatchInferenceJobResult
{
    [JsonPropertyName("linesRead")]
    public long LinesRead { get; set; }

    [JsonPropertyName("linesFailed")]
    public long LinesFailed { get; set; }

    [JsonPropertyName("outputs")]
    public List<string> Outputs { get; set; } = [];
}
