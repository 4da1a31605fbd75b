using Personalize.Api;

namespace Personalize.Operator.Controllers.Seams;

/// <summary>
/// Seam 1: where the custom resources live. Cluster mode: the API server, read through list-then-watch caches and
/// written through the status subresource with optimistic concurrency (<see cref="Cluster.KubernetesResourceStore"/>).
/// Local mode: YAML manifests from a folder, held in memory with the same event semantics, statuses persisted to
/// a state folder (<see cref="Local.ManifestFolderStore"/>). Reads are from the cache; writes go to the source of truth
/// and fail with <see cref="ConflictException"/> when the resource changed since it was read.
/// </summary>
public interface IResourceStore
{
    /// <summary>Raised after the cache took in a change (including the initial list and every resync).</summary>
    event Action<ResourceEvent>? Changed;

    /// <summary>Fills the caches of every kind and keeps them current; completes once all have synced.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>True once every cache has listed its kind at least once.</summary>
    bool IsSynced { get; }

    T? Get<T>(string @namespace, string name)
        where T : class, IPersonalizeResource;

    /// <summary>Every cached resource of a kind, in one namespace or (null) all of them.</summary>
    IReadOnlyList<T> List<T>(string? @namespace = null)
        where T : class, IPersonalizeResource;

    Task<T> CreateAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource;

    /// <summary>Writes metadata and spec (finalizers, annotations); the status is left as stored.</summary>
    Task<T> UpdateAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource;

    /// <summary>Writes only the status (the status subresource); the resourceVersion must still be current.</summary>
    Task<T> UpdateStatusAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource;

    /// <summary>Reads a resource from the source of truth, bypassing the cache (after a conflict).</summary>
    Task<T?> ReadAsync<T>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource;

    Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource;
}

public enum ResourceEventType
{
    Added,
    Modified,
    Deleted,
    Resynced,
}

public sealed record ResourceEvent(ResourceEventType Type, IPersonalizeResource Resource)
{
    public ResourceKey Key => ResourceKey.Of(Resource);
}

/// <summary>The resource changed since it was read (HTTP 409): re-read and retry.</summary>
public sealed class ConflictException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The resource does not exist (HTTP 404).</summary>
public sealed class ResourceNotFoundException(string message, Exception? inner = null) : Exception(message, inner);
