using System.Text.Json;
using k8s;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.ControlLoop;

/// <summary>
/// Writes a status change through the status subresource with optimistic concurrency. The change is a function so
/// that after a conflict it is applied again to a fresh read, never to stale data; a change that alters nothing
/// is not written at all (no write, no watch event, no reconcile loop). Messages are bounded (<see cref="StatusMessages"/>).
/// </summary>
public sealed class StatusWriter(IResourceStore store, TimeProvider time)
{
    private const int MaxAttempts = 8;

    public TimeProvider Time { get; } = time;

    public async Task<T> UpdateAsync<T>(T resource, Action<T> change, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource
    {
        var current = resource;
        for (var attempt = 1; ; attempt++)
        {
            var before = JsonSerializer.Serialize(current.CommonStatus, current.CommonStatus.GetType(), KubernetesJsonOptions);
            var copy = Clone(current);
            change(copy);
            StatusMessages.BoundAll(copy.CommonStatus);
            var after = JsonSerializer.Serialize(copy.CommonStatus, copy.CommonStatus.GetType(), KubernetesJsonOptions);
            if (before == after)
            {
                return current;
            }

            copy.CommonStatus.LastUpdatedDateTime = Time.GetUtcNow();
            try
            {
                return await store.UpdateStatusAsync(copy, cancellationToken);
            }
            catch (ConflictException) when (attempt < MaxAttempts)
            {
                current = await store.ReadAsync<T>(resource.Metadata.NamespaceProperty, resource.Metadata.Name, cancellationToken)
                    ?? throw new ResourceNotFoundException($"{resource.Kind} {resource.Metadata.NamespaceProperty}/{resource.Metadata.Name} was deleted while its status was written.");
            }
        }
    }

    /// <summary>Writes metadata (finalizers, annotations) with the same re-read-and-reapply conflict handling.</summary>
    public async Task<T> UpdateMetadataAsync<T>(T resource, Func<T, bool> change, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource
    {
        var current = resource;
        for (var attempt = 1; ; attempt++)
        {
            var copy = Clone(current);
            if (!change(copy))
            {
                return current;
            }

            try
            {
                return await store.UpdateAsync(copy, cancellationToken);
            }
            catch (ConflictException) when (attempt < MaxAttempts)
            {
                current = await store.ReadAsync<T>(resource.Metadata.NamespaceProperty, resource.Metadata.Name, cancellationToken)
                    ?? throw new ResourceNotFoundException($"{resource.Kind} {resource.Metadata.NamespaceProperty}/{resource.Metadata.Name} is gone.");
            }
        }
    }

    public static T Clone<T>(T resource)
        where T : class => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(resource));

    private static JsonSerializerOptions KubernetesJsonOptions { get; } = new(JsonSerializerDefaults.Web);
}
