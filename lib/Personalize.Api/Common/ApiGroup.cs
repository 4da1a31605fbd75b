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

    /// <summary>Every kind of the group, parents before children (the order samples and docs use).</summary>
    public static IReadOnlyList<Type> Kinds { get; } =
    [
        typeof(DatasetGroup), typeof(Schema), typeof(Dataset), typeof(DatasetImportJob), typeof(Solution),
        typeof(SolutionVersion), typeof(Campaign), typeof(BatchInferenceJob), typeof(EventTracker), typeof(Filter),
    ];

    public static KubernetesEntityAttribute EntityOf(Type kind) =>
        kind.GetCustomAttribute<KubernetesEntityAttribute>()
        ?? throw new InvalidOperationException($"{kind.Name} has no [KubernetesEntity] attribute.");

    public static KubernetesEntityAttribute EntityOf<T>() => EntityOf(typeof(T));

    public static Type? KindNamed(string kind) =>
        Kinds.FirstOrDefault(k => string.Equals(EntityOf(k).Kind, kind, StringComparison.Ordinal));
}
