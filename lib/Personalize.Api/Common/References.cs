using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Personalize.Api;

/// <summary>A reference to another Personalize resource in the same namespace, by name.</summary>
public sealed class ResourceRef
{
    [Required]
    [RegularExpression(Validation.NamePattern)]
    [MaxLength(63)]
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    public override string ToString() => Name;
}

/// <summary>Patterns and limits shared by several kinds.</summary>
public static class Validation
{
    /// <summary>A Kubernetes object name that is also a valid Personalize name (1-63 characters).</summary>
    public const string NamePattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>Data this product reads or writes lives in an S3-compatible store.</summary>
    public const string S3UriPattern = "^s3://[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9](/.*)?$";

    public const int MaxNumResults = 500;
}
