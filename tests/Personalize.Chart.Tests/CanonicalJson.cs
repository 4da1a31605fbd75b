using System.Text.Json;
using System.Text.Json.Nodes;

namespace Personalize.Chart.Tests;

/// <summary>JSON with object keys sorted, so two objects compare equal whatever order a renderer wrote them in.</summary>
public static class CanonicalJson
{
    public static string Of<T>(T value) => Sort(JsonSerializer.SerializeToNode(value))?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray array => new JsonArray(array.Select(item => Sort(item?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}
