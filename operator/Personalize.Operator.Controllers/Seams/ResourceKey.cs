namespace Personalize.Operator.Controllers.Seams;

/// <summary>What the work queue holds and events point at: one resource of one kind, by namespace and name.</summary>
public readonly record struct ResourceKey(string Kind, string Namespace, string Name)
{
    public static ResourceKey Of(Api.IPersonalizeResource resource) =>
        new(resource.Kind, resource.Metadata.NamespaceProperty ?? string.Empty, resource.Metadata.Name);

    public override string ToString() => $"{Kind}/{Namespace}/{Name}";
}
