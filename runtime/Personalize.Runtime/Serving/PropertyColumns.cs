using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Personalize.Runtime.Serving;

/// <summary>
/// PutEvents/PutUsers/PutItems `properties` (a JSON object in a string) as dataset columns: camelCase keys become
/// UPPER_SNAKE schema names (numberOfRatings -> NUMBER_OF_RATINGS), values their text ("Horror|Action" stays as is).
/// </summary>
public static class PropertyColumns
{
    public static Dictionary<string, string?> Parse(string? properties)
    {
        var columns = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(properties))
        {
            return columns;
        }

        using var document = JsonDocument.Parse(properties);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            columns[ColumnName(property.Name)] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Null => null,
                // Whole numbers keep every digit (a long id beyond 2^53 would not survive a double).
                JsonValueKind.Number when property.Value.TryGetInt64(out var whole) => whole.ToString(CultureInfo.InvariantCulture),
                JsonValueKind.Number => property.Value.GetDouble().ToString(CultureInfo.InvariantCulture),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Array => string.Join('|', property.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                _ => property.Value.GetRawText(),
            };
        }

        return columns;
    }

    /// <summary>numberOfRatings -> NUMBER_OF_RATINGS; names already in UPPER_SNAKE stay as they are.</summary>
    public static string ColumnName(string key)
    {
        var name = new StringBuilder(key.Length + 4);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsUpper(c) && i > 0 && char.IsLower(key[i - 1]))
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(c));
        }

        return name.ToString();
    }
}
