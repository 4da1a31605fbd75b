using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "Dataset", PluralName = "datasets")]
[ShortNames("ds")]
[Description("One dataset (Interactions, Users or Items) of a dataset group (CreateDataset).")]
[PrinterColumn("Type", ".spec.datasetType")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Rows", ".status.rowCount", "integer")]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class Dataset : CustomResource<DatasetSpec, DatasetStatus>;

public sealed class DatasetSpec
{
    [Required]
    [Immutable]
    [JsonPropertyName("datasetGroupRef")]
    public ResourceRef DatasetGroupRef { get; set; } = new();

    [Required]
    [Description("The Schema this dataset's columns follow; changing it is UpdateDataset.")]
    [JsonPropertyName("schemaRef")]
    public ResourceRef SchemaRef { get; set; } = new();

    [Required]
    [Immutable]
    [AllowedValues("Interactions", "Items", "Users")]
    [JsonPropertyName("datasetType")]
    public string DatasetType { get; set; } = string.Empty;

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }
}

public sealed class DatasetStatus : ResourceStatus
{
    [Description("Rows of bulk data the latest successful import left in the dataset.")]
    [JsonPropertyName("rowCount")]
    public long? RowCount { get; set; }

    [JsonPropertyName("lastImportJob")]
    public string? LastImportJob { get; set; }

    [JsonPropertyName("storageLocation")]
    public string? StorageLocation { get; set; }
}
