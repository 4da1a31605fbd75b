using System.Reflection;
using System.Text.Json;
using Personalize.Api;

namespace Personalize.Operator.Controllers.Reconcilers;

/// <summary>
/// Immutable spec fields (marked [Immutable] on the API classes): records their accepted values in status and,
/// when a later edit changes one, names it and gives back the spec with the accepted values, so the running thing
/// carries on undisturbed.
/// </summary>
public static class ImmutableFields
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The JSON of each immutable field of a spec, by its JSON name.</summary>
    public static Dictionary<string, string> Snapshot(object spec) =>
        Properties(spec.GetType()).ToDictionary(p => JsonName(p), p => JsonSerializer.Serialize(p.GetValue(spec), p.PropertyType, Json));

    /// <summary>The first immutable field whose value differs from the accepted one (spec.field), or null.</summary>
    public static string? FirstChanged(object spec, IReadOnlyDictionary<string, string>? accepted)
    {
        if (accepted is null)
        {
            return null;
        }

        var now = Snapshot(spec);
        return now.Where(f => accepted.TryGetValue(f.Key, out var was) && was != f.Value).Select(f => $"spec.{f.Key}").FirstOrDefault();
    }

    /// <summary>Puts the accepted values back into the spec (in place).</summary>
    public static void Restore(object spec, IReadOnlyDictionary<string, string> accepted)
    {
        foreach (var property in Properties(spec.GetType()))
        {
            if (accepted.TryGetValue(JsonName(property), out var json))
            {
                property.SetValue(spec, JsonSerializer.Deserialize(json, property.PropertyType, Json));
            }
        }
    }

    private static IEnumerable<PropertyInfo> Properties(Type specType) =>
        specType.GetProperties().Where(p => p.GetCustomAttribute<ImmutableAttribute>() is not null);

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? property.Name;
}
