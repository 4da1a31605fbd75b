using System.Text.Json;
using System.Text.Json.Serialization;

namespace Personalize.Runtime.Http;

/// <summary>JSON as the Personalize APIs write it: camelCase names, absent rather than null members.</summary>
public static class RuntimeJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
    };
}
