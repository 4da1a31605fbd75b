using k8s;
using k8s.Models;

namespace Personalize.Chart.Tests;

/// <summary>Reads multi-document YAML (helm output, config/ files) into typed Kubernetes objects.</summary>
public static class Manifests
{
    public static IReadOnlyList<object> Parse(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml).Where(o => o is not null).ToList();

    public static IReadOnlyList<T> OfType<T>(string yaml) => Parse(yaml).OfType<T>().ToList();

    public static T Single<T>(string yaml, string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        OfType<T>(yaml).Single(o => o.Metadata.Name == name);
}
