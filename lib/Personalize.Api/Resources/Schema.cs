using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Personalize.Api;

[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = "Schema", PluralName = "schemas")]
[ShortNames("pschema")]
[Description("An Avro-style record schema describing one dataset's columns (CreateSchema). Immutable.")]
[PrinterColumn("Status", ".status.phase")]
[PrinterColumn("Record", ".status.recordName")]
[PrinterColumn("Age", ".metadata.creationTimestamp", "date")]
public sealed class Schema : CustomResource<SchemaSpec, SchemaStatus>;

public sealed class SchemaSpec
{
    [Required]
    [Immutable]
    [MinLength(1)]
    [MaxLength(20000)]
    [Description("The Avro schema as a JSON string: {\"type\":\"record\",\"name\":\"Interactions\",\"fields\":[...]}.")]
    [JsonPropertyName("schema")]
    // KubernetesYaml honours JsonPropertyName only on its own model types: manifests read from YAML (local mode) need the alias too.
    [YamlMember(Alias = "schema", ApplyNamingConventions = false)]
    public string SchemaJson { get; set; } = string.Empty;

    [Immutable]
    [AllowedValues("ECOMMERCE", "VIDEO_ON_DEMAND")]
    [Description("Not supported: a non-empty value is refused. Domain schemas belong to domain dataset groups, which need recommenders that this product does not offer; omit it for a custom schema.")]
    [JsonPropertyName("domain")]
    public string? Domain { get; set; }
}

public sealed class SchemaStatus : ResourceStatus
{
    [Description("The record name (Interactions, Users or Items): the dataset type this schema fits.")]
    [JsonPropertyName("recordName")]
    public string? RecordName { get; set; }

    [JsonPropertyName("fields")]
    public List<string>? Fields { get; set; }
}
