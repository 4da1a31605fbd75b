using System.Reflection;
using k8s.Models;

namespace Personalize.Api;

/// <summary>The API group of every Personalize kind, and lookups over the kinds it holds.</summary>
public static class ApiGroup
{
    public const string Group = "personalize.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;

    /// <summary>The category `kubectl get personalize` lists.</summary>
    public const string Category = "personalize";

    /// <summary>Every kind of the group, typed, parents before children (the order samples and docs use).</summary>
    public static IReadOnlyList<ResourceKind> Resources { get; } =
    [
        ResourceKind.Of<DatasetGroup>(), ResourceKind.Of<Schema>(), ResourceKind.Of<Dataset>(), ResourceKind.Of<DatasetImportJob>(), ResourceKind.Of<Solution>(),
        ResourceKind.Of<SolutionVersion>(), ResourceKind.Of<Campaign>(), ResourceKind.Of<BatchInferenceJob>(), ResourceKind.Of<EventTracker>(), ResourceKind.Of<Filter>(),
    ];

    /// <summary>The types of <see cref="Resources"/>, in the same order.</summary>
    public static IReadOnlyList<Type> Kinds { get; } = [.. Resources.Select(r => r.Type)];

    public static KubernetesEntityAttribute EntityOf(Type kind) =>
        kind.GetCustomAttribute<KubernetesEntityAttribute>()
        ?? throw new InvalidOperationException($"{kind.Name} has no [KubernetesEntity] attribute.");

    public static KubernetesEntityAttribute EntityOf<T>() => EntityOf(typeof(T));

    public static Type? KindNamed(string kind) =>
        Kinds.FirstOrDefault(k => string.Equals(EntityOf(k).Kind, kind, StringComparison.Ordinal));
}
