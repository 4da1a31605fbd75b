using System.Text.RegularExpressions;
using Personalize.Api;
using Personalize.Gateway.Protocol;

namespace Personalize.Gateway.ControlPlane;

/// <summary>
/// Personalize names (`^[a-zA-Z0-9][a-zA-Z0-9\-_]*`, 1-63) onto Kubernetes names (lower case, `-`, no trailing `-`):
/// lower-cased, `_` becomes `-`, a trailing `-` gets a `0`. The map is deterministic, so an ARN built from it always
/// finds the object; the original is kept in <see cref="NameAnnotation"/>, and two names that map to one object name
/// are a collision (ResourceAlreadyExistsException). A name already valid for Kubernetes maps to itself, so resources
/// applied with kubectl are named as they were applied.
/// </summary>
public static partial class PersonalizeNames
{
    /// <summary>The name the API was given, returned by describe_* and list_*.</summary>
    public const string NameAnnotation = "personalize.io/name";

    /// <summary>Marks objects the gateway created (kubectl users see who made them).</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "personalize-gateway";

    public static string ToObjectName(string field, string name)
    {
        if (name.Length is 0 or > 63 || !PersonalizeName().IsMatch(name))
        {
            throw PersonalizeException.InvalidInput($"{field} '{name}' is not a valid name: 1-63 characters, letters, digits, '-' and '_', starting with a letter or digit.");
        }

        var mapped = name.ToLowerInvariant().Replace('_', '-');
        return mapped.EndsWith('-') ? (mapped.Length == 63 ? mapped[..62] : mapped) + "0" : mapped;
    }

    /// <summary>The name to show: the one the API was given, else the object's own.</summary>
    public static string Of(IPersonalizeResource resource) =>
        resource.Metadata.Annotations?.TryGetValue(NameAnnotation, out var name) == true ? name : resource.Metadata.Name;

    /// <summary>Labels and annotation of an object the gateway creates for <paramref name="name"/>.</summary>
    public static void Mark(IPersonalizeResource resource, string @namespace, string name, string field)
    {
        resource.Metadata.Name = ToObjectName(field, name);
        resource.Metadata.NamespaceProperty = @namespace;
        resource.Metadata.Labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedByValue };
        resource.Metadata.Annotations = new Dictionary<string, string> { [NameAnnotation] = name };
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9\\-_]*$")]
    private static partial Regex PersonalizeName();
}
