using System.Text.Json;
using System.Text.Json.Nodes;

namespace Personalize.Gateway.Protocol;

/// <summary>Typed reads of a request's fields; a missing or mistyped field is an InvalidInputException naming it.</summary>
public sealed class RequestFields(JsonObject body)
{
    public JsonObject Body { get; } = body;

    public string Required(string field) =>
        String(field) is { Length: > 0 } value ? value : throw PersonalizeException.InvalidInput($"{field} is required.");

    public string? String(string field) => Read(field, n => n.GetValue<string>(), "a string");

    public bool? Bool(string field) => Read<bool?>(field, n => n.GetValue<bool>(), "a boolean");

    public int? Int(string field) => Read<int?>(field, n => n.GetValue<int>(), "an integer");

    public JsonObject? Object(string field) => Read(field, n => n as JsonObject ?? throw new InvalidOperationException(), "an object");

    /// <summary>
    /// Whether the member at a dotted path (solutionConfig.eventsConfig) holds a value that would change behaviour:
    /// anything but null, false, "", or an object or array holding only those.
    /// </summary>
    public bool Sets(string path)
    {
        JsonNode? node = Body;
        foreach (var member in path.Split('.'))
        {
            node = node is JsonObject parent ? parent[member] : null;
        }

        return HasEffect(node);
    }

    /// <summary>A nested object deserialized into one of the resource classes (their JSON names are Personalize's).</summary>
    public T? As<T>(string field)
        where T : class => Object(field) is { } node ? Deserialize<T>(field, node) : null;

    public static T Deserialize<T>(string field, JsonNode node)
    {
        try
        {
            return node.Deserialize<T>() ?? throw PersonalizeException.InvalidInput($"{field} is required.");
        }
        catch (JsonException ex)
        {
            throw PersonalizeException.InvalidInput($"{field}: {ex.Message}");
        }
    }

    private static bool HasEffect(JsonNode? node) => node switch
    {
        null => false,
        JsonObject members => members.Any(m => HasEffect(m.Value)),
        JsonArray items => items.Any(HasEffect),
        _ => node.GetValueKind() switch
        {
            JsonValueKind.Null or JsonValueKind.False => false,
            JsonValueKind.String => node.GetValue<string>().Length > 0,
            _ => true,
        },
    };

    private T? Read<T>(string field, Func<JsonNode, T> read, string what)
    {
        if (Body[field] is not { } node)
        {
            return default;
        }

        try
        {
            return read(node);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw PersonalizeException.InvalidInput($"{field} must be {what}.");
        }
    }
}
