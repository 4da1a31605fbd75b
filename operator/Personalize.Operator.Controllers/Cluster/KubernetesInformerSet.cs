using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// One kind's cache over the operator's namespaces, read as one: a single <see cref="KubernetesInformer{T, TList}"/>
/// across all namespaces, or one per watched namespace (the namespaced mode, where the operator holds only Roles in
/// those namespaces and a cluster-wide list would be refused). Objects of a namespace not watched are never listed,
/// so never reconciled.
/// </summary>
public sealed class KubernetesInformerSet<T, TList>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>
{
    private readonly KubernetesInformer<T, TList>? _all;
    private readonly Dictionary<string, KubernetesInformer<T, TList>> _byNamespace = new(StringComparer.Ordinal);

    /// <param name="namespaces">The watched namespaces; empty watches all.</param>
    /// <param name="sourceIn">The list-or-watch call in one namespace, or across all when given null.</param>
    public KubernetesInformerSet(
        string kind, IReadOnlyList<string> namespaces, Func<string?, ListOrWatch<TList>> sourceIn, InformerOptions options, OperatorMetrics metrics, ILogger logger)
    {
        if (namespaces.Count == 0)
        {
            _all = new KubernetesInformer<T, TList>(kind, sourceIn(null), options, metrics, logger);
        }

        foreach (var ns in namespaces)
        {
            _byNamespace[ns] = new KubernetesInformer<T, TList>(kind, sourceIn(ns), options, metrics, logger);
        }

        foreach (var informer in Informers)
        {
            informer.Changed += (type, item) => Changed?.Invoke(type, item);
        }
    }

    /// <summary>(type, object) from any of the caches; Resynced replays an unchanged object.</summary>
    public event Action<Seams.ResourceEventType, T>? Changed;

    public Task Synced => Task.WhenAll(Informers.Select(i => i.Synced));

    public bool IsSynced => Informers.All(i => i.IsSynced);

    private IEnumerable<KubernetesInformer<T, TList>> Informers => _all is null ? _byNamespace.Values : [_all];

    /// <summary>The cache that holds <paramref name="namespace"/>'s objects; null when that namespace is not watched.</summary>
    internal KubernetesInformer<T, TList>? In(string? @namespace) =>
        _all ?? (@namespace is not null && _byNamespace.TryGetValue(@namespace, out var informer) ? informer : null);

    public T? Get(string? @namespace, string name) => In(@namespace)?.Get(@namespace, name);

    public IReadOnlyList<T> List(string? @namespace) =>
        @namespace is null ? [.. Informers.SelectMany(i => i.List(null))] : In(@namespace)?.List(@namespace) ?? [];

    /// <summary>Takes in an object the operator just wrote (see <see cref="KubernetesInformer{T, TList}.Observe"/>); one of a namespace not watched is not cached.</summary>
    public void Observe(T item) => In(item.Metadata.NamespaceProperty)?.Observe(item);

    /// <summary>Runs every cache until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Informers.Select(i => Task.Run(() => i.RunAsync(cancellationToken), CancellationToken.None)));
}
