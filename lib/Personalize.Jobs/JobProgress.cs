using System.Text.Json.Serialization;

namespace Personalize.Jobs;

/// <summary>One line of a run's progress file: where a long run is and how long it has left.</summary>
public sealed class JobProgress
{
    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; set; }

    [JsonPropertyName("stage")]
    public string Stage { get; set; } = string.Empty;

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("percentComplete")]
    public int? PercentComplete { get; set; }

    [JsonPropertyName("epoch")]
    public int? Epoch { get; set; }

    [JsonPropertyName("totalEpochs")]
    public int? TotalEpochs { get; set; }

    [JsonPropertyName("loss")]
    public double? Loss { get; set; }

    [JsonPropertyName("eventsPerSecond")]
    public double? EventsPerSecond { get; set; }

    [JsonPropertyName("etaSeconds")]
    public double? EtaSeconds { get; set; }

    [JsonPropertyName("rowsRead")]
    public long? RowsRead { get; set; }
}
