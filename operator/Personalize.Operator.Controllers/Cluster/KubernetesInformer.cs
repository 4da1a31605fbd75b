using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Personalize.Operator.Controllers.ControlLoop;

namespace Personalize.Operator.Controllers.Cluster;

/// <summary>Lists (watch false) or watches (watch true) one kind from a resourceVersion.</summary>
public delegate Task<HttpOperationResponse<TList>> ListOrWatch<TList>(string? resourceVersion, bool watch, int? timeoutSeconds, CancellationToken cancellationToken);

/// <summary>
/// A list-then-watch cache of one kind, as client-go's reflector + store: it lists once, then watches from the list's
/// resourceVersion and resumes each new watch from the last resourceVersion it saw (bookmarks included). When the
/// server answers 410 Gone (the version fell out of its window) it lists again and reports what changed meanwhile,
/// deletions included. Every <see cref="InformerOptions.ResyncPeriod"/> it replays its objects to the handlers.
/// </summary>
public sealed class KubernetesInformer<T, TList>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), T> _items = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ListOrWatch<TList> _source;
    private readonly InformerOptions _options;
    private readonly OperatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _suspendGate = new();
    private readonly Lock _observeGate = new();
    private TaskCompletionSource? _resume;
    private CancellationTokenSource? _currentWatch;

    public KubernetesInformer(string kind, ListOrWatch<TList> source, InformerOptions options, OperatorMetrics metrics, ILogger logger)
    {
        Kind = kind;
        _source = source;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>(type, object); Resynced replays an unchanged object.</summary>
    public event Action<Seams.ResourceEventType, T>? Changed;

    public string Kind { get; }

    public Task Synced => _synced.Task;

    public bool IsSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>The resourceVersion the next watch resumes from; null forces a list.</summary>
    public string? ResourceVersion { get; private set; }

    /// <summary>Full lists done so far (the first one included).</summary>
    public int Lists { get; private set; }

    public T? Get(string? @namespace, string name) => _items.GetValueOrDefault((@namespace ?? string.Empty, name));

    public IReadOnlyList<T> List(string? @namespace) =>
        _items.Values.Where(i => @namespace is null || i.Metadata.NamespaceProperty == @namespace).ToList();

    /// <summary>
    /// Takes in an object the operator itself just wrote, so its next reconcile reads its own write even before the
    /// watch delivers it. Older versions never replace newer ones.
    /// </summary>
    public void Observe(T item)
    {
        var key = KeyOf(item);
        lock (_observeGate)
        {
            // Absent although the watch is already past this write: the watch delivered the object's deletion (the
            // write that removed a deleted object's last finalizer returns its final state). Caching it would bring a
            // deleted object back until the next list.
            if (!_items.ContainsKey(key) && !IsAfter(item.Metadata.ResourceVersion, ResourceVersion))
            {
                return;
            }

            _items.AddOrUpdate(key, item, (_, existing) => IsNewer(item, existing) ? item : existing);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var nextResync = DateTimeOffset.UtcNow + _options.ResyncPeriod;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await WaitWhileSuspendedAsync(cancellationToken);
                if (ResourceVersion is null)
                {
                    await ListAsync(Lists == 0 ? "start" : "gone", cancellationToken);
                }

                var gone = await WatchAsync(nextResync, cancellationToken);
                failures = 0;
                if (gone)
                {
                    ResourceVersion = null;
                }

                if (DateTimeOffset.UtcNow >= nextResync)
                {
                    Resync();
                    nextResync = DateTimeOffset.UtcNow + _options.ResyncPeriod;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
            {
                ResourceVersion = null;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(_options.RetryMax.TotalMilliseconds, _options.RetryBase.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));
                _logger.LogWarning(ex, "{Kind} cache: list/watch failed; retrying in {Delay}", Kind, delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Drops the current watch and keeps the cache from re-watching until the returned handle is disposed: lets a test
    /// move the server's window past the cache's resourceVersion, as a long network partition would.
    /// </summary>
    internal IDisposable SuspendWatch()
    {
        lock (_suspendGate)
        {
            _resume ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _currentWatch?.Cancel();
        }

        return new Resumer(this);
    }

    /// <summary>
    /// Makes the next watch resume from an older resourceVersion (one the server no longer has), as after a long
    /// partition: lets a test get a real 410 Gone from the server.
    /// </summary>
    internal void RewindTo(string resourceVersion) => ResourceVersion = resourceVersion;

    private async Task ListAsync(string reason, CancellationToken cancellationToken)
    {
        using var response = await _source(null, false, null, cancellationToken);
        var list = response.Body;
        var seen = new HashSet<(string, string)>();
        foreach (var item in list.Items)
        {
            var key = KeyOf(item);
            seen.Add(key);
            var existed = _items.TryGetValue(key, out var old);
            _items[key] = item;
            if (!existed)
            {
                Changed?.Invoke(Seams.ResourceEventType.Added, item);
            }
            else if (old!.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                Changed?.Invoke(Seams.ResourceEventType.Modified, item);
            }
        }

        foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            if (_items.TryRemove(key, out var removed))
            {
                Changed?.Invoke(Seams.ResourceEventType.Deleted, removed);
            }
        }

        ResourceVersion = list.Metadata.ResourceVersion;
        Lists++;
        _metrics.Relists.WithLabels(Kind, reason).Inc();
        _logger.LogInformation("{Kind} cache listed {Count} objects at resourceVersion {ResourceVersion} ({Reason})", Kind, list.Items.Count, ResourceVersion, reason);
        _synced.TrySetResult();
    }

    /// <summary>One watch until the server ends it, the resync is due, or 410; true means 410 Gone.</summary>
    private async Task<bool> WatchAsync(DateTimeOffset nextResync, CancellationToken cancellationToken)
    {
        var untilResync = nextResync - DateTimeOffset.UtcNow;
        var timeout = untilResync < _options.WatchTimeout ? untilResync : _options.WatchTimeout;
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        using var watchCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_suspendGate)
        {
            if (_resume is not null)
            {
                return false;
            }

            _currentWatch = watchCancel;
        }

        // The server's timeout closes the stream; our own timer guards against a silently dead connection.
        watchCancel.CancelAfter(TimeSpan.FromSeconds(seconds + 30));
        var gone = false;
        try
        {
            // The typed list-response watch is the one typed watch custom objects have (the generated ones are untyped).
#pragma warning disable CS0618
            var stream = _source(ResourceVersion, true, seconds, watchCancel.Token).WatchAsync<T, TList>(
                ex =>
                {
                    if (ex is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                    {
                        gone = true;
                    }
                    else
                    {
                        _logger.LogWarning(ex, "{Kind} watch reported an error", Kind);
                    }
                },
                watchCancel.Token);
#pragma warning restore CS0618
            await foreach (var (type, item) in stream)
            {
                Apply(type, item);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our guard timer or a suspension ended the watch; the loop re-watches from ResourceVersion.
        }
        finally
        {
            lock (_suspendGate)
            {
                _currentWatch = null;
            }
        }

        if (gone)
        {
            _logger.LogInformation("{Kind} watch from resourceVersion {ResourceVersion} expired (410 Gone); listing again", Kind, ResourceVersion);
        }

        return gone;
    }

    private void Apply(WatchEventType type, T item)
    {
        switch (type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                _items[KeyOf(item)] = item;
                ResourceVersion = item.Metadata.ResourceVersion;
                Changed?.Invoke(type == WatchEventType.Added ? Seams.ResourceEventType.Added : Seams.ResourceEventType.Modified, item);
                break;
            case WatchEventType.Deleted:
                lock (_observeGate)
                {
                    _items.TryRemove(KeyOf(item), out _);
                    ResourceVersion = item.Metadata.ResourceVersion;
                }

                Changed?.Invoke(Seams.ResourceEventType.Deleted, item);
                break;
            case WatchEventType.Bookmark:
                ResourceVersion = item.Metadata.ResourceVersion;
                break;
        }
    }

    private void Resync()
    {
        foreach (var item in _items.Values)
        {
            Changed?.Invoke(Seams.ResourceEventType.Resynced, item);
        }
    }

    private async Task WaitWhileSuspendedAsync(CancellationToken cancellationToken)
    {
        Task? wait;
        lock (_suspendGate)
        {
            wait = _resume?.Task;
        }

        if (wait is not null)
        {
            await wait.WaitAsync(cancellationToken);
        }
    }

    private void Resume()
    {
        lock (_suspendGate)
        {
            _resume?.TrySetResult();
            _resume = null;
        }
    }

    private static (string, string) KeyOf(T item) => (item.Metadata.NamespaceProperty ?? string.Empty, item.Metadata.Name);

    private static bool IsNewer(T candidate, T existing) => IsAfter(candidate.Metadata.ResourceVersion, existing.Metadata.ResourceVersion);

    // Unparsable or missing versions count as newer: the write is kept, as before versions were compared.
    private static bool IsAfter(string? version, string? than) =>
        !long.TryParse(version, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
        || !long.TryParse(than, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
        || a > b;

    private sealed class Resumer(KubernetesInformer<T, TList> informer) : IDisposable
    {
        public void Dispose() => informer.Resume();
    }
}
