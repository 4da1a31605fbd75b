using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// Records lifecycle steps as core/v1 Events on the resource (what `kubectl describe` shows). A repeat of the same
/// reason and message on the same object bumps the count of the existing Event instead of adding another, as
/// client-go's recorder does. Failing to record never fails a reconcile.
/// </summary>
public sealed class KubernetesEventRecorder(IKubernetes client, string component, ILogger<KubernetesEventRecorder> logger) : IEventRecorder
{
    private readonly ConcurrentDictionary<(string Uid, string Reason, string Message), (string Name, int Count)> _recent = new();

    public async Task RecordAsync(IPersonalizeResource resource, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        var ns = resource.Metadata.NamespaceProperty ?? "default";
        var now = DateTime.UtcNow;
        var key = (resource.Metadata.Uid ?? resource.Metadata.Name, reason, message);
        try
        {
            if (_recent.TryGetValue(key, out var seen))
            {
                var count = seen.Count + 1;
                var patch = new V1Patch(
                    $$"""{"count":{{count.ToString(CultureInfo.InvariantCulture)}},"lastTimestamp":"{{now:yyyy-MM-ddTHH:mm:ssZ}}"}""",
                    V1Patch.PatchType.MergePatch);
                await client.CoreV1.PatchNamespacedEventAsync(patch, seen.Name, ns, cancellationToken: cancellationToken);
                _recent[key] = (seen.Name, count);
                return;
            }

            var name = $"{resource.Metadata.Name}.{now.Ticks.ToString("x", CultureInfo.InvariantCulture)}";
            await client.CoreV1.CreateNamespacedEventAsync(
                new Corev1Event
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                    InvolvedObject = new V1ObjectReference
                    {
                        ApiVersion = resource.ApiVersion,
                        Kind = resource.Kind,
                        Name = resource.Metadata.Name,
                        NamespaceProperty = ns,
                        Uid = resource.Metadata.Uid,
                        ResourceVersion = resource.Metadata.ResourceVersion,
                    },
                    Reason = reason,
                    Message = message.Length > 1024 ? message[..1024] : message,
                    Type = warning ? "Warning" : "Normal",
                    Source = new V1EventSource { Component = component },
                    FirstTimestamp = now,
                    LastTimestamp = now,
                    Count = 1,
                    ReportingComponent = component,
                },
                ns,
                cancellationToken: cancellationToken);
            _recent[key] = (name, 1);
            if (_recent.Count > 10000)
            {
                _recent.Clear();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _recent.TryRemove(key, out _);
            logger.LogWarning(ex, "Could not record event {Reason} on {Kind} {Namespace}/{Name}", reason, resource.Kind, ns, resource.Metadata.Name);
        }
    }
}
