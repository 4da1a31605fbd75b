using k8s;

namespace Personalize.Api;

/// <summary>
/// One kind of the group with its type kept: code that handles every kind alike (stores, caches, the operator's
/// host) reads a document of a kind known only at run time, or runs a generic step per kind, without reflection.
/// </summary>
public abstract class ResourceKind
{
    private ResourceKind()
    {
    }

    public abstract Type Type { get; }

    /// <summary>The kind's name (Campaign, SolutionVersion, ...).</summary>
    public string Kind => ApiGroup.EntityOf(Type).Kind;

    public static ResourceKind Of<T>()
        where T : class, IPersonalizeResource => new Typed<T>();

    /// <summary>The kind of a resource type of the group.</summary>
    public static ResourceKind For(Type type) =>
        ApiGroup.Resources.FirstOrDefault(r => r.Type == type) ?? throw new ArgumentException($"{type.Name} is not a kind of {ApiGroup.Group}.", nameof(type));

    /// <summary>A resource of this kind from its JSON (as the API server or a manifest spells it).</summary>
    public abstract IPersonalizeResource Deserialize(string json);

    /// <summary>Runs the visitor's generic step for this kind's type.</summary>
    public abstract void Accept(IResourceKindVisitor visitor);

    private sealed class Typed<T> : ResourceKind
        where T : class, IPersonalizeResource
    {
        public override Type Type => typeof(T);

        public override IPersonalizeResource Deserialize(string json) => KubernetesJson.Deserialize<T>(json);

        public override void Accept(IResourceKindVisitor visitor) => visitor.Visit<T>();
    }
}

/// <summary>A step generic over the resource type, run once per <see cref="ResourceKind"/>.</summary>
public interface IResourceKindVisitor
{
    void Visit<T>()
        where T : class, IPersonalizeResource;
}
