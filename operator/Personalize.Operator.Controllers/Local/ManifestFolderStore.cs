using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Personalize.Api;
using Personalize.Api.Crds;
using Personalize.Operator.Controllers.Seams;
using YamlDotNet.Core;

namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// The local adapter of <see cref="IResourceStore"/>: resources come from the YAML manifests in a folder (several
/// documents per file allowed; no namespace means "default"), live in memory with the API server's semantics
/// (resourceVersion checks, generation bumps on spec changes, finalizers holding deletions) and raise the same
/// events. Every status and metadata write is persisted under the state folder, so a rerun resumes where the last
/// one stopped: an ACTIVE model is not trained again.
/// </summary>
public sealed class ManifestFolderStore : IResourceStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<(Type Kind, string Namespace, string Name), IPersonalizeResource> _items = new();
    private readonly Lock _writeGate = new();
    private readonly string _manifests;
    private readonly string _state;
    private long _resourceVersion;

    public ManifestFolderStore(string manifestFolder, string stateFolder)
    {
        _manifests = Path.GetFullPath(manifestFolder);
        _state = Path.GetFullPath(stateFolder);
    }

    public event Action<ResourceEvent>? Changed;

    public bool IsSynced { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ApplyManifestsAsync(cancellationToken);
        IsSynced = true;
    }

    /// <summary>
    /// Reads the manifest folder again: new resources are added, changed specs bump the generation, and resources
    /// whose manifests are gone are deleted (through their finalizers), as `kubectl apply --prune` would.
    /// </summary>
    public async Task ApplyManifestsAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<(Type, string, string)>();
        if (Directory.Exists(_manifests))
        {
            foreach (var file in Directory.EnumerateFiles(_manifests, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal))
            {
                foreach (var resource in await LoadFileAsync(file, cancellationToken))
                {
                    seen.Add(KeyOf(resource));
                    Apply(resource);
                }
            }
        }

        foreach (var created in LoadCreated())
        {
            seen.Add(KeyOf(created));
            Apply(created);
        }

        foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            await DeleteAsync(key.Kind, key.Namespace, key.Name);
        }
    }

    public T? Get<T>(string @namespace, string name)
        where T : class, IPersonalizeResource =>
        _items.TryGetValue((typeof(T), @namespace, name), out var item) ? Copy((T)item) : null;

    public IReadOnlyList<T> List<T>(string? @namespace = null)
        where T : class, IPersonalizeResource =>
        _items.Where(i => i.Key.Kind == typeof(T) && (@namespace is null || i.Key.Namespace == @namespace)).Select(i => Copy((T)i.Value)).ToList();

    public Task<T> CreateAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource
    {
        T stored;
        lock (_writeGate)
        {
            resource.Metadata.NamespaceProperty ??= "default";
            if (_items.ContainsKey(KeyOf(resource)))
            {
                throw new ConflictException($"{resource.Kind} {resource.Metadata.NamespaceProperty}/{resource.Metadata.Name} already exists.");
            }

            stored = Admitted(resource);
            Initialize(stored);
            _items[KeyOf(stored)] = stored;
            Persist(stored, created: true);
        }

        Raise(ResourceEventType.Added, stored);
        return Task.FromResult(Copy(stored));
    }

    public Task<T> UpdateAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource =>
        Task.FromResult(Write(resource, (current, incoming) =>
        {
            current.Metadata.Finalizers = incoming.Metadata.Finalizers;
            current.Metadata.Annotations = incoming.Metadata.Annotations;
            current.Metadata.Labels = incoming.Metadata.Labels;
            // A spec edit (the gateway's update_campaign) bumps the generation, as the API server does.
            if (SpecJson(current) != SpecJson(incoming))
            {
                current = (T)WithSection(current, incoming, "spec");
                current.Metadata.Generation = (current.Metadata.Generation ?? 1) + 1;
            }

            return current;
        }));

    public Task<T> UpdateStatusAsync<T>(T resource, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource =>
        Task.FromResult(Write(resource, (current, incoming) => (T)WithSection(current, incoming, "status")));

    public Task<T?> ReadAsync<T>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource => Task.FromResult(Get<T>(@namespace, name));

    public Task DeleteAsync<T>(string @namespace, string name, CancellationToken cancellationToken)
        where T : class, IPersonalizeResource => DeleteAsync(typeof(T), @namespace, name);

    private Task DeleteAsync(Type kind, string @namespace, string name)
    {
        IPersonalizeResource? changed = null;
        var type = ResourceEventType.Modified;
        lock (_writeGate)
        {
            if (!_items.TryGetValue((kind, @namespace, name), out var current))
            {
                return Task.CompletedTask;
            }

            if (current.Metadata.Finalizers is { Count: > 0 })
            {
                current.Metadata.DeletionTimestamp ??= DateTime.UtcNow;
                Bump(current);
                Persist(current, created: false);
                changed = current;
            }
            else
            {
                _items.TryRemove((kind, @namespace, name), out _);
                Forget(current);
                changed = current;
                type = ResourceEventType.Deleted;
            }
        }

        Raise(type, changed);
        return Task.CompletedTask;
    }

    /// <summary>A copy of a resource created in code, defaulted and validated as the API server would admit it.</summary>
    private static T Admitted<T>(T resource)
        where T : class, IPersonalizeResource
    {
        var (document, errors) = CrdValidator.Admit(resource);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"{resource.Kind} {resource.Metadata.NamespaceProperty}/{resource.Metadata.Name} is invalid: {string.Join("; ", errors)}");
        }

        var admitted = KubernetesJson.Deserialize<T>(document.ToJsonString());
        admitted.Metadata.NamespaceProperty ??= "default";
        return admitted;
    }

    private T Write<T>(T incoming, Func<T, T, T> apply)
        where T : class, IPersonalizeResource
    {
        T current;
        var type = ResourceEventType.Modified;
        lock (_writeGate)
        {
            var key = KeyOf(incoming);
            if (!_items.TryGetValue(key, out var existing))
            {
                throw new ResourceNotFoundException($"{incoming.Kind} {key.Namespace}/{key.Name} does not exist.");
            }

            if (existing.Metadata.ResourceVersion != incoming.Metadata.ResourceVersion)
            {
                throw new ConflictException($"{incoming.Kind} {key.Namespace}/{key.Name} changed since it was read.");
            }

            current = apply(Copy((T)existing), incoming);
            Bump(current);
            if (current.Metadata.DeletionTimestamp is not null && current.Metadata.Finalizers is not { Count: > 0 })
            {
                _items.TryRemove(key, out _);
                Forget(current);
                type = ResourceEventType.Deleted;
            }
            else
            {
                _items[key] = current;
                Persist(current, created: false);
            }
        }

        Raise(type, current);
        return Copy(current);
    }

    private void Apply(IPersonalizeResource fromManifest)
    {
        IPersonalizeResource stored;
        ResourceEventType type;
        lock (_writeGate)
        {
            var key = KeyOf(fromManifest);
            if (_items.TryGetValue(key, out var existing))
            {
                if (SpecJson(existing) == SpecJson(fromManifest) && SameLabels(existing, fromManifest))
                {
                    return;
                }

                fromManifest = WithSection(fromManifest, existing, "status");
                fromManifest.Metadata.Uid = existing.Metadata.Uid;
                fromManifest.Metadata.CreationTimestamp = existing.Metadata.CreationTimestamp;
                fromManifest.Metadata.Finalizers = existing.Metadata.Finalizers;
                fromManifest.Metadata.Generation = (existing.Metadata.Generation ?? 1) + (SpecJson(existing) == SpecJson(fromManifest) ? 0 : 1);
                fromManifest.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                type = ResourceEventType.Modified;
            }
            else
            {
                fromManifest = Restore(fromManifest);
                type = ResourceEventType.Added;
            }

            Bump(fromManifest);
            _items[key] = fromManifest;
            Persist(fromManifest, created: false);
            stored = fromManifest;
        }

        Raise(type, stored);
    }

    /// <summary>Identity and status from the state folder when an earlier run knew this resource, else new ones.</summary>
    private IPersonalizeResource Restore(IPersonalizeResource resource)
    {
        var path = StatePath(resource);
        if (File.Exists(path))
        {
            var saved = JsonSerializer.Deserialize<SavedState>(File.ReadAllText(path), Json);
            if (saved is not null)
            {
                resource.Metadata.Uid = saved.Uid;
                resource.Metadata.CreationTimestamp = saved.CreationTimestamp;
                resource.Metadata.Finalizers = saved.Finalizers;
                resource.Metadata.Generation = saved.SpecJson == SpecJson(resource) ? saved.Generation : saved.Generation + 1;
                if (saved.Status is { } status)
                {
                    var document = JsonNode.Parse(KubernetesJson.Serialize(resource))!.AsObject();
                    document["status"] = JsonNode.Parse(status);
                    resource = ResourceKind.For(resource.GetType()).Deserialize(document.ToJsonString());
                }

                return resource;
            }
        }

        Initialize(resource);
        return resource;
    }

    private static void Initialize(IPersonalizeResource resource)
    {
        resource.Metadata.Uid ??= Guid.NewGuid().ToString("D");
        resource.Metadata.CreationTimestamp ??= DateTime.UtcNow;
        resource.Metadata.Generation ??= 1;
    }

    private void Bump(IPersonalizeResource resource) =>
        resource.Metadata.ResourceVersion = Interlocked.Increment(ref _resourceVersion).ToString(CultureInfo.InvariantCulture);

    private void Persist(IPersonalizeResource resource, bool created)
    {
        var path = StatePath(resource);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var saved = new SavedState(
            resource.Metadata.Uid ?? string.Empty,
            resource.Metadata.CreationTimestamp,
            resource.Metadata.Generation ?? 1,
            resource.Metadata.Finalizers,
            SpecJson(resource),
            KubernetesJson.Serialize(resource.CommonStatus));
        WriteAtomically(path, JsonSerializer.Serialize(saved, Json));
        if (created || File.Exists(CreatedPath(resource)))
        {
            // Resources the operator itself created (scheduled SolutionVersions) have no manifest; keep one here.
            WriteAtomically(CreatedPath(resource), KubernetesYaml.Serialize(resource));
        }
    }

    private void Forget(IPersonalizeResource resource)
    {
        File.Delete(StatePath(resource));
        File.Delete(CreatedPath(resource));
    }

    private IEnumerable<IPersonalizeResource> LoadCreated()
    {
        var folder = Path.Combine(_state, "created");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories))
        {
            foreach (var resource in Parse(File.ReadAllText(file), file))
            {
                yield return resource;
            }
        }
    }

    private static async Task<IReadOnlyList<IPersonalizeResource>> LoadFileAsync(string file, CancellationToken cancellationToken) =>
        Parse(await File.ReadAllTextAsync(file, cancellationToken), file);

    /// <summary>
    /// The resources of one file, validated and defaulted as the API server would from the generated CRD schema. Any
    /// invalid document fails the whole apply, naming the file, the resource and each field, so nothing stored changes.
    /// </summary>
    private static IReadOnlyList<IPersonalizeResource> Parse(string yaml, string file)
    {
        IReadOnlyList<JsonObject> documents;
        try
        {
            documents = ManifestDocuments.Read(yaml);
        }
        catch (Exception ex) when (ex is YamlException or InvalidDataException)
        {
            throw new InvalidDataException($"{file}: not a manifest of Personalize resources ({ex.Message})", ex);
        }

        var resources = new List<IPersonalizeResource>();
        var problems = new List<string>();
        foreach (var document in documents)
        {
            var apiVersion = Text(document["apiVersion"]);
            var kind = Text(document["kind"]);
            var type = ApiGroup.Resources.FirstOrDefault(k => apiVersion == ApiGroup.ApiVersion && k.Kind == kind);
            if (type is null)
            {
                problems.Add($"only {ApiGroup.ApiVersion} kinds can be applied locally (found apiVersion \"{apiVersion}\", kind \"{kind}\")");
                continue;
            }

            // What only the server sets on create (identity, generation, status through its subresource) is not the manifest's to say.
            document.Remove("status");
            var metadata = document["metadata"] as JsonObject ?? new JsonObject();
            document["metadata"] = metadata;
            foreach (var serverField in new[] { "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields" })
            {
                metadata.Remove(serverField);
            }

            metadata["namespace"] ??= "default";
            var errors = CrdValidator.ValidateAndDefault(type.Type, document);
            if (errors.Count > 0)
            {
                problems.Add($"{kind} {Text(metadata["namespace"])}/{Text(metadata["name"])} is invalid: {string.Join("; ", errors)}");
                continue;
            }

            resources.Add(type.Deserialize(document.ToJsonString()));
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{file}: {string.Join(" | ", problems)}");
        }

        return resources;
    }

    /// <summary>The status a local run saved for a resource, read straight from its state folder (null when none).</summary>
    public static TStatus? SavedStatus<TStatus>(string stateFolder, string kind, string @namespace, string name)
        where TStatus : class
    {
        var path = StatusFile(Path.GetFullPath(stateFolder), kind, @namespace, name);
        return File.Exists(path) && JsonSerializer.Deserialize<SavedState>(File.ReadAllText(path), Json)?.Status is { } status
            ? KubernetesJson.Deserialize<TStatus>(status)
            : null;
    }

    private static string StatusFile(string state, string kind, string @namespace, string name) =>
        Path.Combine(state, "status", kind, @namespace, name + ".json");

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString();

    private string StatePath(IPersonalizeResource resource) => Confined("status", resource, ".json");

    private string CreatedPath(IPersonalizeResource resource) => Confined("created", resource, ".yaml");

    // Names are validated on the way in; this keeps any that were not (a resource created in code) inside the state folder.
    private string Confined(string folder, IPersonalizeResource resource, string extension)
    {
        var ns = resource.Metadata.NamespaceProperty ?? "default";
        var name = resource.Metadata.Name ?? string.Empty;
        if (!CrdValidator.IsDnsLabel(ns) || !CrdValidator.IsDnsLabel(name))
        {
            throw new ArgumentException($"{resource.Kind} \"{ns}/{name}\": namespace and name must be lowercase RFC 1123 labels (a-z, 0-9, '-', at most 63).");
        }

        return Path.Combine(_state, folder, resource.Kind, ns, name + extension);
    }

    private static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private void Raise(ResourceEventType type, IPersonalizeResource resource) => Changed?.Invoke(new ResourceEvent(type, CopyUntyped(resource)));

    private static (Type Kind, string Namespace, string Name) KeyOf(IPersonalizeResource resource) =>
        (resource.GetType(), resource.Metadata.NamespaceProperty ?? "default", resource.Metadata.Name);

    private static string SpecJson(IPersonalizeResource resource) =>
        KubernetesJson.Serialize(resource.Spec);

    private static bool SameLabels(IPersonalizeResource a, IPersonalizeResource b) =>
        SameEntries(a.Metadata.Labels, b.Metadata.Labels) && SameEntries(a.Metadata.Annotations, b.Metadata.Annotations);

    // Most manifests have no labels: null and empty are the same (KubernetesJson cannot serialize null).
    private static bool SameEntries(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(e => b is not null && b.TryGetValue(e.Key, out var v) && v == e.Value);

    private static T Copy<T>(T resource)
        where T : class, IPersonalizeResource => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(resource));

    private static IPersonalizeResource CopyUntyped(IPersonalizeResource resource) =>
        ResourceKind.For(resource.GetType()).Deserialize(KubernetesJson.Serialize(resource));

    /// <summary>A copy of <paramref name="target"/> with one top-level section (spec or status) taken from <paramref name="source"/>.</summary>
    private static IPersonalizeResource WithSection(IPersonalizeResource target, IPersonalizeResource source, string section)
    {
        var document = JsonNode.Parse(KubernetesJson.Serialize(target))!.AsObject();
        document[section] = JsonNode.Parse(KubernetesJson.Serialize(source))![section]?.DeepClone();
        return ResourceKind.For(target.GetType()).Deserialize(document.ToJsonString());
    }

    private sealed record SavedState(string Uid, DateTime? CreationTimestamp, long Generation, IList<string>? Finalizers, string SpecJson, string? Status);
}
