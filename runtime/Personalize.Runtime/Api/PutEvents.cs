using System.Text.Json.Serialization;

namespace Personalize.Runtime.Api;

/// <summary>POST /events (personalize-events PutEvents).</summary>
public sealed class PutEventsRequest
{
    [JsonPropertyName("trackingId")]
    public string? TrackingId { get; set; }

    [JsonPropertyName("userId")]
    public string? UserId { get; set; }

    [JsonPropertyName("sessionId")]
    public string? SessionId { get; set; }

    [JsonPropertyName("eventList")]
    public List<EventInput>? EventList { get; set; }
}

/// <summary>One event of PutEvents. sentAt arrives as epoch seconds (botocore) or an ISO-8601 string.</summary>
public sealed class EventInput
{
    [JsonPropertyName("eventId")]
    public string? EventId { get; set; }

    [JsonPropertyName("eventType")]
    public string? EventType { get; set; }

    [JsonPropertyName("eventValue")]
    public float? EventValue { get; set; }

    [JsonPropertyName("itemId")]
    public string? ItemId { get; set; }

    [JsonPropertyName("properties")]
    public string? Properties { get; set; }

    [JsonPropertyName("sentAt")]
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? SentAt { get; set; }

    [JsonPropertyName("recommendationId")]
    public string? RecommendationId { get; set; }

    [JsonPropertyName("impression")]
    public List<string>? Impression { get; set; }

    [JsonPropertyName("metricAttribution")]
    public MetricAttributionInput? MetricAttribution { get; set; }
}

public sealed class MetricAttributionInput
{
    [JsonPropertyName("eventAttributionSource")]
    public string? EventAttributionSource { get; set; }
}
