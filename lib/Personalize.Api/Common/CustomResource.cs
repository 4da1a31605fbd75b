using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Personalize.Api;

/// <summary>
/// The shape every Personalize custom resource shares: Kubernetes metadata, a desired-state spec and an
/// observed-state status. Mirrors KubeOps' CustomKubernetesEntity so the code reads familiar.
/// </summary>
public abstract class CustomResource<TSpec, TStatus> : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>, IStatus<TStatus>, IPersonalizeResource
    where TSpec : new()
    where TStatus : ResourceStatus, new()
{
    protected CustomResource()
    {
        var entity = ApiGroup.EntityOf(GetType());
        ApiVersion = $"{entity.Group}/{entity.ApiVersion}";
        Kind = entity.Kind;
    }

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public TStatus Status { get; set; } = new();

    ResourceStatus IPersonalizeResource.CommonStatus => Status;

    object IPersonalizeResource.Spec => Spec!;
}

/// <summary>Lets generic code (controllers, printers, stores) reach the status every kind shares, and the spec.</summary>
public interface IPersonalizeResource : IKubernetesObject<V1ObjectMeta>
{
    ResourceStatus CommonStatus { get; }

    /// <summary>The kind's spec, for code that treats every kind alike (immutable fields, spec comparisons).</summary>
    object Spec { get; }
}

/// <summary>A list of custom resources as the API server returns it.</summary>
public sealed class CustomResourceList<T> : IKubernetesObject<V1ListMeta>, IItems<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = new List<T>();
}
