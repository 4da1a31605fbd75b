using Personalize.Api;
using Personalize.Gateway.Protocol;
using Personalize.Operator.Controllers.Seams;

namespace Personalize.Gateway.ControlPlane;

/// <summary>
/// ARNs in and out, confined to one tenant. Out: the status's ARN (the operator's), or the same string built from
/// the object's name before the operator has stamped it. In: any ARN of ours of the expected type; one of another
/// namespace is reported as not found, so a tenant cannot even learn that another's resource exists.
/// </summary>
public sealed class ResourceArns(IResourceStore store, string @namespace)
{
    public string Namespace { get; } = @namespace;

    public static string TypeOf<T>()
        where T : IPersonalizeResource => TypeOf(ApiGroup.EntityOf<T>().Kind);

    /// <summary>The ARN resource type of a kind, as the operator spells it (dataset-group, solution-version, ...).</summary>
    public static string TypeOf(string kind) =>
        string.Concat(kind.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static string Of(IPersonalizeResource resource) =>
        resource.CommonStatus.Arn ?? Arn.For(TypeOf(resource.Kind), resource.Metadata.NamespaceProperty ?? string.Empty, resource.Metadata.Name);

    public string For<T>(string objectName)
        where T : IPersonalizeResource => Arn.For(TypeOf<T>(), Namespace, objectName);

    /// <summary>The object name an ARN of kind <typeparamref name="T"/> points at in this tenant (it may not exist).</summary>
    public string NameOf<T>(string field, string arn)
        where T : IPersonalizeResource
    {
        var parsed = Arn.Parse(arn);
        var type = TypeOf<T>();
        if (parsed is not { } p || p.ResourceType != type)
        {
            throw PersonalizeException.InvalidInput($"{field} '{arn}' is not a {type} ARN (arn:k8s:personalize:<namespace>::{type}/<name>).");
        }

        if (p.Namespace != Namespace)
        {
            throw PersonalizeException.NotFound($"{field}: {arn} does not exist.");
        }

        return p.Name;
    }

    /// <summary>The resource an ARN names in this tenant, or ResourceNotFoundException naming the field.</summary>
    public T Find<T>(string field, string arn)
        where T : class, IPersonalizeResource =>
        store.Get<T>(Namespace, NameOf<T>(field, arn)) is { Metadata.DeletionTimestamp: null } found
            ? found
            : throw PersonalizeException.NotFound($"{field}: {arn} does not exist.");
}
