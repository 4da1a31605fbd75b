using System.Globalization;
using System.Text.Json;
using Personalize.Data.Schemas;

namespace Personalize.Data.Datasets;

/// <summary>Loose-to-typed conversions for values that arrive as JSON (real-time records) or any CLR type.</summary>
public static class FieldValues
{
    public static string? AsString(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    public static long? AsLong(object? value) => value switch
    {
        null => null,
        long l => l,
        int i => i,
        double d => checked((long)d),
        float f => checked((long)f),
        string s when s.Length == 0 => null,
        string s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    public static float? AsFloat(object? value) => value switch
    {
        null => null,
        float f => f,
        double d => (float)d,
        long l => l,
        int i => i,
        string s when s.Length == 0 => null,
        string s => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => Convert.ToSingle(value, CultureInfo.InvariantCulture),
    };

    /// <summary>A value converted to a schema field's type (JSON numbers arrive as long or double).</summary>
    public static object? As(object? value, FieldType type) => value is null ? null : type switch
    {
        FieldType.String => AsString(value),
        FieldType.Int => checked((int)AsLong(value)!.Value),
        FieldType.Long => AsLong(value),
        FieldType.Float => AsFloat(value),
        FieldType.Double => value is string s ? double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture) : Convert.ToDouble(value, CultureInfo.InvariantCulture),
        FieldType.Boolean => value is string b ? bool.Parse(b) : Convert.ToBoolean(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Like <see cref="As"/>, but null for a value that does not convert (text in a number field, out of range).</summary>
    public static object? TryAs(object? value, FieldType type)
    {
        try
        {
            return As(value, type);
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
        {
            return null;
        }
    }

    /// <summary>Reads one JSON object into field values: strings, long (integral numbers), double, bool, null.</summary>
    public static Dictionary<string, object?> FromJsonObject(JsonElement element)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var v = property.Value;
            fields[property.Name] = v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number when v.TryGetInt64(out var l) => l,
                JsonValueKind.Number => v.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => v.GetRawText(),
            };
        }

        return fields;
    }
}
