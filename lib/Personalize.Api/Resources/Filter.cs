using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "Filter", PluralName = "filters")]
[ShortNames("pfilter")]
[Description("A filter expression that includes or excludes items from recommendations (CreateFilter).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Expression", ".spec.filterExpression", Priority = 1)]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class Filter : CustomResource<FilterSpec, FilterStatus>;

public sealed class FilterSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("datasetGroupRef")]
    public ResourceRef DatasetGroupRef { get; set; } = new();

    [Required]
    [Immutable]
    [MinLength(1)]
    [MaxLength(2500)]
    [Description("EXCLUDE|INCLUDE ItemID WHERE Items.FIELD IN ($PARAM) ... in Personalize's filter grammar. Items and Users fields must be columns of the group's dataset schema, neither boolean nor textual; Interactions fields are EVENT_TYPE, ITEM_ID, EVENT_VALUE or TIMESTAMP.")]
    [JsonPropertyName("filterExpression")]
    public string FilterExpression { get; set; } = string.Empty;

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class FilterStatus : ResourceStatus
{
    [Description("The $PARAMETERS a request must (INCLUDE) or may (EXCLUDE) supply in filterValues.")]
    [JsonPropertyName("parameters")]
    public List<string>? Parameters { get; set; }
}
