using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "DatasetGroup", PluralName = "datasetgroups")]
[ShortNames("dsg")]
[Description("A container for the datasets, solutions, campaigns, event tracker and filters of one use case (CreateDatasetGroup).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Domain", ".spec.domain", Priority = 1)]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class DatasetGroup : CustomResource<DatasetGroupSpec, DatasetGroupStatus>;

public sealed class DatasetGroupSpec
{
    [Immutable]
    [AllowedValues("ECOMMERCE", "VIDEO_ON_DEMAND")]
    [Description("A domain dataset group (ECOMMERCE or VIDEO_ON_DEMAND); omit for a custom group.")]
    [JsonPropertyName("domain")]
    public string? Domain { get; set; }

    [Description("Kept for compatibility with Personalize manifests; encryption is the object store's job here.")]
    [MaxLength(2048)]
    [JsonPropertyName("kmsKeyArn")]
    public string? KmsKeyArn { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class DatasetGroupStatus : ResourceStatus
{
    [Description("Where this group's data, models and events live in the object store.")]
    [JsonPropertyName("storageLocation")]
    public string? StorageLocation { get; set; }
}
