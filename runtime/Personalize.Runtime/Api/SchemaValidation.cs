using System.Text.Json;
using Personalize.Data.Schemas;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Api;

/// <summary>
/// PutEvents/PutUsers/PutItems properties checked against the dataset's schema, as Personalize does: every key must name a
/// schema field (camelCase for UPPER_SNAKE) and every value have that field's type. So what a client sends can never
/// add a column to a replica's memory or a value that a later training or start-up cannot read.
/// </summary>
public static class SchemaValidation
{
    /// <summary>The first problem as a message naming the property, or null when the properties fit the schema.</summary>
    public static string? Properties(string field, string? properties, DatasetSchema? schema, string datasetType)
    {
        if (properties is null)
        {
            return null;
        }

        if (schema is null)
        {
            return $"{field} cannot be checked: the {datasetType} dataset has no schema in the store yet (its first import writes it); send the record without properties or import first.";
        }

        // RequestValidation has already checked that properties is a JSON object of readable values.
        using var document = JsonDocument.Parse(properties);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var path = $"{field}.{property.Name}";
            var column = PropertyColumns.ColumnName(property.Name);
            if (schema.Find(column) is not { } schemaField || column == schema.IdField)
            {
                var names = string.Join(", ", schema.Fields.Where(f => f.Name != schema.IdField).Select(f => f.Name));
                return $"{path} is not a field of the {datasetType} schema (its fields: {(names.Length == 0 ? "none" : names)}).";
            }

            if (TypeError(property.Value, schemaField) is { } expected)
            {
                return $"{path} must be {expected} (the {datasetType} schema's {schemaField.Name} is {Avro(schemaField)}); got {Shorten(property.Value.GetRawText())}.";
            }
        }

        return null;
    }

    /// <summary>What the value should have been, or null when it fits the field.</summary>
    private static string? TypeError(JsonElement value, SchemaField field)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return field.Nullable ? null : "a value (the field is not nullable)";
        }

        return field.Type switch
        {
            FieldType.String => value.ValueKind switch
            {
                JsonValueKind.String when field.Categorical && value.GetString()!.Length > FieldNames.MaxCategoricalLength =>
                    $"at most {FieldNames.MaxCategoricalLength} characters",
                JsonValueKind.String => null,
                // A categorical field's values may come as a list; they are stored joined by '|'.
                JsonValueKind.Array when field.Categorical && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => null,
                _ => field.Categorical ? "a string or a list of strings" : "a string",
            },
            FieldType.Int => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _) ? null : "a whole number within the int range",
            FieldType.Long => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _) ? null : "a whole number within the long range",
            FieldType.Float => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var f) && Math.Abs(f) <= float.MaxValue
                ? null : "a number within the float range",
            FieldType.Double => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d) ? null : "a finite number",
            FieldType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "true or false",
            _ => null,
        };
    }

    private static string Avro(SchemaField field) => (field.Nullable ? $"nullable {field.Type.ToAvro()}" : field.Type.ToAvro()) + (field.Categorical ? ", categorical" : string.Empty);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "...";
}
