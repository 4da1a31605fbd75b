using System.Collections.Concurrent;
using Personalize.Api;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// Which resources a resource names as parents (its *Ref fields), and the reverse index: when a parent changes,
/// the children waiting on it are reconciled; when a child changes, its parents are (row counts, latest versions,
/// blocked deletions).
/// </summary>
public sealed class ResourceReferences
{
    private readonly ConcurrentDictionary<ResourceKey, ResourceKey[]> _parents = new();
    private readonly ConcurrentDictionary<ResourceKey, ConcurrentDictionary<ResourceKey, byte>> _children = new();

    public static IEnumerable<ResourceKey> ParentsOf(IPersonalizeResource resource)
    {
        var ns = resource.Metadata.NamespaceProperty ?? string.Empty;
        ResourceKey Key(string kind, ResourceRef? reference) => new(kind, ns, reference?.Name ?? string.Empty);
        IEnumerable<ResourceKey> keys = resource switch
        {
            Dataset d => [Key(nameof(DatasetGroup), d.Spec.DatasetGroupRef), Key(nameof(Schema), d.Spec.SchemaRef)],
            DatasetImportJob i => [Key(nameof(Dataset), i.Spec.DatasetRef)],
            Solution s => [Key(nameof(DatasetGroup), s.Spec.DatasetGroupRef)],
            SolutionVersion v => [Key(nameof(Solution), v.Spec.SolutionRef)],
            Campaign c => [Key(nameof(SolutionVersion), c.Spec.SolutionVersionRef)],
            BatchInferenceJob b => [Key(nameof(SolutionVersion), b.Spec.SolutionVersionRef), Key(nameof(Filter), b.Spec.FilterRef)],
            EventTracker e => [Key(nameof(DatasetGroup), e.Spec.DatasetGroupRef)],
            Filter f => [Key(nameof(DatasetGroup), f.Spec.DatasetGroupRef)],
            _ => [],
        };
        return keys.Where(k => k.Name.Length > 0);
    }

    /// <summary>Takes in a change; returns the keys to reconcile besides the resource itself.</summary>
    public IReadOnlyList<ResourceKey> Track(ResourceEvent change)
    {
        var key = change.Key;
        var parents = change.Type == ResourceEventType.Deleted ? [] : ParentsOf(change.Resource).ToArray();
        if (_parents.TryGetValue(key, out var old))
        {
            foreach (var parent in old.Except(parents))
            {
                if (_children.TryGetValue(parent, out var set))
                {
                    set.TryRemove(key, out _);
                }
            }
        }

        if (parents.Length == 0)
        {
            _parents.TryRemove(key, out _);
        }
        else
        {
            _parents[key] = parents;
        }

        foreach (var parent in parents)
        {
            _children.GetOrAdd(parent, _ => new()).TryAdd(key, 0);
        }

        return [.. ChildrenOf(key), .. parents, .. old?.Except(parents) ?? [], .. TrainedFrom(change.Resource, parents), .. FilteredBy(change.Resource, parents), .. ImportsQueuedWith(key, [.. parents, .. old ?? []])];
    }

    /// <summary>Imports into one dataset run one at a time: a change to one (it finished, or went) wakes those waiting.</summary>
    private IEnumerable<ResourceKey> ImportsQueuedWith(ResourceKey key, IEnumerable<ResourceKey> parents) =>
        key.Kind == nameof(DatasetImportJob)
            ? parents.Where(p => p.Kind == nameof(Dataset)).SelectMany(ChildrenOf).Where(c => c.Kind == nameof(DatasetImportJob) && c != key)
            : [];

    /// <summary>
    /// A dataset's new data matters to what is trained from its group: solution versions wait for an interactions
    /// import but name only their solution, which names only the group. Without this they would notice on a timer.
    /// </summary>
    private IEnumerable<ResourceKey> TrainedFrom(IPersonalizeResource resource, IEnumerable<ResourceKey> parents) =>
        resource is Dataset
            ? parents.Where(p => p.Kind == nameof(DatasetGroup))
                .SelectMany(ChildrenOf)
                .Where(c => c.Kind == nameof(Solution))
                .SelectMany(ChildrenOf)
            : [];

    /// <summary>
    /// A dataset's schema is what a waiting filter's fields are checked against, but a filter names only its group:
    /// without this it would notice the dataset on a timer.
    /// </summary>
    private IEnumerable<ResourceKey> FilteredBy(IPersonalizeResource resource, IEnumerable<ResourceKey> parents) =>
        resource is Dataset
            ? parents.Where(p => p.Kind == nameof(DatasetGroup)).SelectMany(ChildrenOf).Where(c => c.Kind == nameof(Filter))
            : [];

    public IEnumerable<ResourceKey> ChildrenOf(ResourceKey parent) =>
        _children.TryGetValue(parent, out var set) ? set.Keys : [];
}
