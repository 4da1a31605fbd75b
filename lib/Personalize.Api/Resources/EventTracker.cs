using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "EventTracker", PluralName = "eventtrackers")]
[ShortNames("et")]
[Description("Accepts real-time events (PutEvents) for a dataset group under a trackingId (CreateEventTracker).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("TrackingId", ".status.trackingId")]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class EventTracker : CustomResource<EventTrackerSpec, EventTrackerStatus>;

public sealed class EventTrackerSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("datasetGroupRef")]
    public ResourceRef DatasetGroupRef { get; set; } = new();

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class EventTrackerStatus : ResourceStatus
{
    [Description("The id clients send as trackingId in PutEvents.")]
    [JsonPropertyName("trackingId")]
    public string? TrackingId { get; set; }

    [Description("Campaign runtime endpoints that accept this tracker's events.")]
    [JsonPropertyName("endpoints")]
    public List<string>? Endpoints { get; set; }
}
