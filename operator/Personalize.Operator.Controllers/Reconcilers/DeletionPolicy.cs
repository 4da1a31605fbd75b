using Personalize.Api;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// What deleting a resource does to the data the operator made for it in the object store: Delete (the default)
/// removes it; the annotation personalize.io/deletion-policy: Retain keeps it (e.g. a model someone still needs).
/// </summary>
public static class DeletionPolicy
{
    public const string Annotation = "personalize.io/deletion-policy";
    public const string Retain = "Retain";
    public const string Delete = "Delete";

    public static bool Retains(IPersonalizeResource resource) =>
        resource.Metadata.Annotations is { } annotations
        && annotations.TryGetValue(Annotation, out var policy)
        && string.Equals(policy, Retain, StringComparison.OrdinalIgnoreCase);
}
