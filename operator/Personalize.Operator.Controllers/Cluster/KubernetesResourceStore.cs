using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Personalize.Api;
using Personalize.Operator.Controllers.ControlLoop;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>
/// The cluster adapter of <see cref="IResourceStore"/>: one list-then-watch cache per Personalize kind, across all
/// namespaces (or one per watched namespace, when the operator is namespace-scoped), and writes through the API server (status through
/// the status subresource). A 409 becomes <see cref="ConflictException"/>; each successful write also updates the
/// cache at once so the next reconcile reads it.
/// </summary>
public sealed class KubernetesResourceStore : IResourceStore
{
    private readonly IKubernetes _client;
    private readonly IReadOnlyList<string> _namespaces;
    private readonly Dictionary<Type, object> _informers = [];
    private readonly List<Func<CancellationToken, Task>> _runners = [];
    private readonly List<Func<Task>> _synced = [];
    private readonly List<Func<bool>> _isSynced = [];

    /// <param name="watchNamespaces">The namespaces to cache; empty caches all.</param>
    public KubernetesResourceStore(IKubernetes client, IReadOnlyList<string> watchNamespaces, InformerOptions options, OperatorMetrics metrics, ILoggerFactory loggers)
    {
        _client = client;
        _namespaces = watchNamespaces;
        var adder = new InformerAdder(this, options, metrics, loggers.CreateLogger<KubernetesResourceStore>());
        foreach (var kind in ApiGroup.Resources)
        {
            kind.Accept(adder);
        }
    }

    public event Action<ResourceEvent>? Changed;

    public bool IsSynced => _isSynced.All(s => s());

    private Task? _running;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.WhenAll(_runners.Select(r => Task.Run(() => r(cancellationToken), CancellationToken.None)));
        await Task.WhenAny(Task.WhenAll(_synced.Select(s => s())), _running).Unwrap().WaitAsync(cancellationToken);
    }

    /// <summary>Completes when every cache loop has stopped (after the start token is cancelled).</summary>
    public Task Completion => _running ?? Task.CompletedTask;

    public T? Get<T>(string @namespace, string name)
        where T : class, IPersonalizeResource => InformerOf<T>().Get(@namespace, name);

    public IReadOnlyList<T> List<T>(string? @namespace = null)
        where T : class, IPersonalizeResource => InformerOf<T>().List(@namespace);

    /// <summary>The caches of one kind (tests use them to observe lists and force a 410).</summary>
    internal KubernetesInformerSet<T, CustomResourceList<T>> InformerOf<T>()
        where T : class, IPersonalizeResource => (KubernetesInformerSet<T, CustomResourceList<T>>)_informers[typeof(T)];

    public Task<T> CreateAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource =>
        WriteAsync(resource, (e, ns) => _client.CustomObjects.CreateNamespacedCustomObjectAsync<T>(resource, e.Group, e.ApiVersion, ns, e.PluralName, cancellationToken: cancellationToken));

    public Task<T> UpdateAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource =>
        WriteAsync(resource, (e, ns) => _client.CustomObjects.ReplaceNamespacedCustomObjectAsync<T>(resource, e.Group, e.ApiVersion, ns, e.PluralName, resource.Metadata.Name, cancellationToken: cancellationToken));

    public Task<T> UpdateStatusAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource =>
        WriteAsync(resource, (e, ns) => _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<T>(resource, e.Group, e.ApiVersion, ns, e.PluralName, resource.Metadata.Name, cancellationToken: cancellationToken));

    public async Task<T?> ReadAsync<T>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource
    {
        var entity = ApiGroup.EntityOf<T>();
        try
        {
            var fresh = await _client.CustomObjects.GetNamespacedCustomObjectAsync<T>(entity.Group, entity.ApiVersion, @namespace, entity.PluralName, name, cancellationToken);
            InformerOf<T>().Observe(fresh);
            return fresh;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource
    {
        var entity = ApiGroup.EntityOf<T>();
        try
        {
            await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(entity.Group, entity.ApiVersion, @namespace, entity.PluralName, name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone: what the caller wanted.
        }
    }

    private async Task<T> WriteAsync<T>(T resource, Func<k8s.Models.KubernetesEntityAttribute, string, Task<T>> write)
        where T : class, IPersonalizeResource
    {
        var entity = ApiGroup.EntityOf<T>();
        var ns = resource.Metadata.NamespaceProperty ?? throw new ArgumentException($"{entity.Kind} {resource.Metadata.Name} has no namespace.");
        try
        {
            var written = await write(entity, ns);
            InformerOf<T>().Observe(written);
            return written;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"{entity.Kind} {ns}/{resource.Metadata.Name} changed since it was read.", ex);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ResourceNotFoundException($"{entity.Kind} {ns}/{resource.Metadata.Name} does not exist.", ex);
        }
    }

    private void AddInformer<T>(InformerOptions options, OperatorMetrics metrics, ILogger logger)
        where T : class, IPersonalizeResource
    {
        var entity = ApiGroup.EntityOf<T>();
        var informer = new KubernetesInformerSet<T, CustomResourceList<T>>(
            entity.Kind,
            _namespaces,
            ns => ns is null
                ? (rv, watch, timeout, ct) => _client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<CustomResourceList<T>>(
                    entity.Group, entity.ApiVersion, entity.PluralName, allowWatchBookmarks: watch ? true : null, resourceVersion: rv,
                    timeoutSeconds: timeout, watch: watch, cancellationToken: ct)
                : (rv, watch, timeout, ct) => _client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<CustomResourceList<T>>(
                    entity.Group, entity.ApiVersion, ns, entity.PluralName, allowWatchBookmarks: watch ? true : null, resourceVersion: rv,
                    timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
            options,
            metrics,
            logger);
        informer.Changed += (type, item) => Changed?.Invoke(new ResourceEvent(type, item));
        _informers[typeof(T)] = informer;
        _runners.Add(informer.RunAsync);
        _synced.Add(() => informer.Synced);
        _isSynced.Add(() => informer.IsSynced);
    }

    /// <summary>Adds one kind's cache.</summary>
    private sealed class InformerAdder(KubernetesResourceStore store, InformerOptions options, OperatorMetrics metrics, ILogger logger) : IResourceKindVisitor
    {
        public void Visit<T>()
            where T : class, IPersonalizeResource => store.AddInformer<T>(options, metrics, logger);
    }
}
