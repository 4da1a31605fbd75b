using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "DatasetGroup", PluralName = "datasetgroups")]
[ShortNames("dsg")]
[Description("A container for the datasets, solutions, campaigns, event tracker and filters of one use case (CreateDatasetGroup).")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class DatasetGroup : CustomResource<DatasetGroupSpec, DatasetGroupStatus>;

public sealed class DatasetGroupSpec
{
    [Immutable]
    [AllowedValues("ECOMMERCE", "VIDEO_ON_DEMAND")]
    [Description("Not supported: a non-empty value is refused. Domain dataset groups (ECOMMERCE, VIDEO_ON_DEMAND) serve through recommenders, which this product does not offer; omit it for a custom group.")]
    [JsonPropertyName("domain")]
    public string? Domain { get; set; }

    [Immutable]
    [Description("Not supported: a non-empty value is refused. This installation does not encrypt with AWS KMS; encrypt the object store's bucket server-side.")]
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
