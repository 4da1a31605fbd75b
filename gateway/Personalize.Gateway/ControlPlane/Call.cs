using System.Text.Json.Nodes;
using Personalize.Api;
using Personalize.Api.Crds;
using Personalize.Gateway.Protocol;
using Personalize.Operator.Controllers.Reconcilers;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Gateway.ControlPlane;

/// <summary>
/// One control-plane call: the request's fields, the tenant's namespace (all reads and writes stay in it), and
/// the writes every create and delete shares (naming, collisions, in-use checks).
/// </summary>
public sealed class Call(IResourceStore store, string @namespace, RequestFields request, CancellationToken cancellation)
{
    public IResourceStore Store { get; } = store;

    public string Namespace { get; } = @namespace;

    public RequestFields Request { get; } = request;

    public CancellationToken Cancellation { get; } = cancellation;

    public ResourceArns Arns { get; } = new(store, @namespace);

    /// <summary>A resource of this tenant named by the ARN in <paramref name="field"/>.</summary>
    public T Find<T>(string field)
        where T : class, IPersonalizeResource => Arns.Find<T>(field, Request.Required(field));

    /// <summary>An optional list filter (datasetGroupArn, solutionArn, ...): the parent's object name, or null.</summary>
    public string? FilterName<T>(string field)
        where T : class, IPersonalizeResource => Request.String(field) is { } arn ? Arns.NameOf<T>(field, arn) : null;

    public IReadOnlyList<T> List<T>()
        where T : class, IPersonalizeResource => Store.List<T>(Namespace);

    /// <summary>
    /// Creates <paramref name="resource"/> under the mapped name of <paramref name="name"/>, marked as the gateway's.
    /// An object of that name already there (the same name, or another that maps to it) is ResourceAlreadyExists.
    /// </summary>
    public async Task<T> CreateAsync<T>(T resource, string name, string nameField)
        where T : class, IPersonalizeResource
    {
        PersonalizeNames.Mark(resource, Namespace, name, nameField);
        if (Store.Get<T>(Namespace, resource.Metadata.Name) is { } existing)
        {
            throw AlreadyExists(existing, name);
        }

        ThrowIfNotAdmitted(resource);
        try
        {
            return await Store.CreateAsync(resource, Cancellation);
        }
        catch (ConflictException)
        {
            throw AlreadyExists(resource, name);
        }
    }

    /// <summary>
    /// Deletes a resource nothing else names; otherwise ResourceInUse, naming what uses it. <paramref name="alsoGoing"/>
    /// are users deleted by the same call (a solution's versions), which the cache may still show for a moment.
    /// </summary>
    public async Task<JsonObject> DeleteAsync<T>(T resource, IReadOnlyCollection<IPersonalizeResource>? alsoGoing = null)
        where T : class, IPersonalizeResource
    {
        ThrowIfInUse(resource, alsoGoing);
        await Store.DeleteAsync<T>(Namespace, resource.Metadata.Name, Cancellation);
        return [];
    }

    public void ThrowIfInUse(IPersonalizeResource resource, IReadOnlyCollection<IPersonalizeResource>? alsoGoing = null)
    {
        var key = ResourceKey.Of(resource);
        var going = (alsoGoing ?? []).Select(ResourceKey.Of).ToHashSet();
        var users = AllResources()
            .Where(r => r.Metadata.DeletionTimestamp is null && !going.Contains(ResourceKey.Of(r)) && ResourceReferences.ParentsOf(r).Contains(key))
            .ToList();
        if (users.Count > 0)
        {
            var shown = string.Join(", ", users.Take(5).Select(u => $"{ResourceArns.TypeOf(u.Kind)} {PersonalizeNames.Of(u)}"));
            throw PersonalizeException.InUse($"{ResourceArns.Of(resource)} is in use by {shown}{(users.Count > 5 ? $" and {users.Count - 5} more" : string.Empty)}; delete those first.");
        }
    }

    /// <summary>Writes a changed spec, re-reading once if the resource changed meanwhile (the operator writes status).</summary>
    public async Task<T> UpdateSpecAsync<T>(T resource, Action<T> change)
        where T : class, IPersonalizeResource
    {
        for (var attempt = 0; ; attempt++)
        {
            change(resource);
            ThrowIfNotAdmitted(resource);
            try
            {
                return await Store.UpdateAsync(resource, Cancellation);
            }
            catch (ConflictException) when (attempt < 3)
            {
                resource = await Store.ReadAsync<T>(Namespace, resource.Metadata.Name, Cancellation)
                    ?? throw PersonalizeException.NotFound($"{ResourceArns.Of(resource)} does not exist.");
            }
        }
    }

    /// <summary>
    /// What the CRD's schema refuses (a length, a pattern, an enum) is the caller's bad input, named by its member: the
    /// API server (or local mode's store) would refuse the write, and that would reach the client as an internal failure.
    /// </summary>
    private static void ThrowIfNotAdmitted(IPersonalizeResource resource) =>
        PersonalizeException.ThrowIfInvalid(CrdValidator.Admit(resource).Errors);

    /// <summary>Every Personalize resource of the tenant, of every kind.</summary>
    public IEnumerable<IPersonalizeResource> AllResources() =>
        List<DatasetGroup>().Concat<IPersonalizeResource>(List<Schema>()).Concat(List<Dataset>()).Concat(List<DatasetImportJob>())
            .Concat(List<Solution>()).Concat(List<SolutionVersion>()).Concat(List<Campaign>()).Concat(List<BatchInferenceJob>())
            .Concat(List<EventTracker>()).Concat(List<Filter>());

    /// <summary>Personalize's `tags` ([{tagKey, tagValue}]) as a map for the spec; null when none were given.</summary>
    public Dictionary<string, string>? TagMap()
    {
        if (Request.Body["tags"] is not JsonArray tags)
        {
            return null;
        }

        if (tags.Count > 200)
        {
            throw PersonalizeException.InvalidInput("tags: at most 200 tags.");
        }

        return tags.OfType<JsonObject>().ToDictionary(
            t => t["tagKey"]?.GetValue<string>() ?? throw PersonalizeException.InvalidInput("tags[].tagKey is required."),
            t => t["tagValue"]?.GetValue<string>() ?? string.Empty,
            StringComparer.Ordinal);
    }

    private static PersonalizeException AlreadyExists(IPersonalizeResource existing, string name)
    {
        var type = ResourceArns.TypeOf(existing.Kind);
        var existingName = PersonalizeNames.Of(existing);
        return PersonalizeException.AlreadyExists(existingName == name
            ? $"A {type} named {name} already exists ({ResourceArns.Of(existing)})."
            : $"The {type} name {name} maps to the object name {existing.Metadata.Name}, which {existingName} already uses ({ResourceArns.Of(existing)}); choose another name.");
    }
}
