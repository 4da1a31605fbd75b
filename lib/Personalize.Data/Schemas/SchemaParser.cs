using System.Text.Json;
using System.Text.RegularExpressions;

namespace Personalize.Data.Schemas;

/// <summary>
/// Parses Personalize's Avro-style dataset schemas and checks every rule of the reference (section 4): a flat record
/// named for its dataset type, allowed primitive types and null unions, the required and reserved fields with their
/// types, categorical/textual use, and the metadata limits. All broken rules are reported at once.
/// </summary>
public static partial class SchemaParser
{
    /// <summary>Interactions may carry at most this many contextual metadata columns besides the reserved ones.</summary>
    public const int MaxInteractionMetadataFields = 5;

    public const int MaxUserMetadataFields = 25;

    public const int MaxItemMetadataFields = 100;

    private const string RecordField = "$";

    private static readonly string[] ComplexTypes = ["record", "array", "map", "enum", "fixed", "bytes"];

    private static readonly Dictionary<string, (string Name, FieldType Type, bool NullableAllowed)[]> Required = new()
    {
        [DatasetTypes.Interactions] = [(FieldNames.UserId, FieldType.String, false), (FieldNames.ItemId, FieldType.String, false), (FieldNames.Timestamp, FieldType.Long, false)],
        [DatasetTypes.Users] = [(FieldNames.UserId, FieldType.String, false)],
        [DatasetTypes.Items] = [(FieldNames.ItemId, FieldType.String, false)],
    };

    private static readonly Dictionary<string, (string Name, FieldType Type)[]> Reserved = new()
    {
        [DatasetTypes.Interactions] =
        [
            (FieldNames.EventType, FieldType.String), (FieldNames.EventValue, FieldType.Float), (FieldNames.Impression, FieldType.String),
            (FieldNames.RecommendationId, FieldType.String), (FieldNames.EventAttributionSource, FieldType.String),
        ],
        [DatasetTypes.Users] = [],
        [DatasetTypes.Items] = [(FieldNames.CreationTimestamp, FieldType.Long)],
    };

    /// <summary>Parses and validates; throws <see cref="SchemaValidationException"/> listing every broken rule.</summary>
    /// <param name="datasetType">The dataset the schema is for; null to take it from the record name.</param>
    public static DatasetSchema Parse(string json, string? datasetType = null)
    {
        var result = Validate(json, datasetType);
        return result.IsValid ? result.Schema! : throw new SchemaValidationException(result.Errors);
    }

    public static SchemaValidationResult Validate(string json, string? datasetType = null)
    {
        var errors = new List<SchemaError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return Fail(new SchemaError(RecordField, SchemaRules.Json, $"the schema is not valid JSON: {e.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail(new SchemaError(RecordField, SchemaRules.RecordType, "the schema must be a JSON object with \"type\": \"record\""));
            }

            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "record")
            {
                errors.Add(new SchemaError(RecordField, SchemaRules.RecordType, "\"type\" must be \"record\""));
            }

            var recordName = root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
            var canonical = DatasetTypes.Canonical(datasetType ?? recordName);
            if (datasetType is not null && DatasetTypes.Canonical(datasetType) is null)
            {
                errors.Add(new SchemaError(RecordField, SchemaRules.RecordName,
                    $"dataset type \"{datasetType}\" is not supported (expected one of {string.Join(", ", DatasetTypes.All)})"));
                canonical = null;
            }
            else if (recordName is null)
            {
                errors.Add(new SchemaError(RecordField, SchemaRules.RecordName,
                    $"\"name\" is required and must be the dataset type ({canonical ?? string.Join(", ", DatasetTypes.All)})"));
            }
            else if (canonical is null || !string.Equals(recordName, canonical, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new SchemaError(RecordField, SchemaRules.RecordName,
                    canonical is null
                        ? $"record name \"{recordName}\" must be one of {string.Join(", ", DatasetTypes.All)}"
                        : $"record name \"{recordName}\" must match the dataset type \"{canonical}\""));
            }

            if (!root.TryGetProperty("fields", out var fieldsElement) || fieldsElement.ValueKind != JsonValueKind.Array || fieldsElement.GetArrayLength() == 0)
            {
                errors.Add(new SchemaError(RecordField, SchemaRules.Fields, "\"fields\" must be a non-empty array of {\"name\", \"type\"} objects"));
                return new SchemaValidationResult(null, errors);
            }

            var fields = ParseFields(fieldsElement, errors);
            if (canonical is not null)
            {
                CheckDatasetRules(canonical, fields, errors);
            }

            return errors.Count == 0 && canonical is not null
                ? new SchemaValidationResult(new DatasetSchema(canonical, fields), errors)
                : new SchemaValidationResult(null, errors);
        }
    }

    private static SchemaValidationResult Fail(SchemaError error) => new(null, [error]);

    private static List<SchemaField> ParseFields(JsonElement fieldsElement, List<SchemaError> errors)
    {
        var fields = new List<SchemaField>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var position = 0;
        foreach (var element in fieldsElement.EnumerateArray())
        {
            position++;
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
            {
                errors.Add(new SchemaError($"fields[{position - 1}]", SchemaRules.FieldName, "each field needs a string \"name\""));
                continue;
            }

            var name = nameElement.GetString()!;
            if (!FieldNamePattern().IsMatch(name))
            {
                errors.Add(new SchemaError(name, SchemaRules.FieldName,
                    "field names must be alphanumeric (letters, digits, underscore; not starting with a digit), at most 150 characters"));
            }

            if (!seen.Add(name))
            {
                errors.Add(new SchemaError(name, SchemaRules.DuplicateField, "field names must be unique (case-insensitively)"));
                continue;
            }

            var categorical = ReadFlag(element, "categorical", name, SchemaRules.Categorical, errors);
            var textual = ReadFlag(element, "textual", name, SchemaRules.Textual, errors);
            if (!element.TryGetProperty("type", out var typeElement))
            {
                errors.Add(new SchemaError(name, SchemaRules.FieldType, "the field has no \"type\""));
                continue;
            }

            if (ParseType(name, typeElement, errors) is { } parsed)
            {
                fields.Add(new SchemaField(name, parsed.Type, parsed.Nullable, categorical, textual));
            }
        }

        return fields;
    }

    private static bool ReadFlag(JsonElement element, string property, string field, string rule, List<SchemaError> errors)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return false;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add(new SchemaError(field, rule, $"\"{property}\" must be true or false"));
        return false;
    }

    private static (FieldType Type, bool Nullable)? ParseType(string field, JsonElement type, List<SchemaError> errors)
    {
        switch (type.ValueKind)
        {
            case JsonValueKind.String:
                return ParsePrimitive(field, type.GetString()!, errors) is { } primitive ? (primitive, false) : null;
            case JsonValueKind.Object:
                // {"type": "long"} is a primitive written long-hand; anything with more structure is nesting.
                if (type.TryGetProperty("type", out var inner) && inner.ValueKind == JsonValueKind.String && FieldTypeNames.FromAvro(inner.GetString()!) is { } longHand)
                {
                    return (longHand, false);
                }

                errors.Add(new SchemaError(field, SchemaRules.Flat, "schemas must be flat: nested records, arrays, maps and enums are not allowed"));
                return null;
            case JsonValueKind.Array:
                return ParseUnion(field, type, errors);
            default:
                errors.Add(new SchemaError(field, SchemaRules.FieldType, $"\"type\" must be one of {AllowedTypes} or a union with null"));
                return null;
        }
    }

    private static (FieldType Type, bool Nullable)? ParseUnion(string field, JsonElement union, List<SchemaError> errors)
    {
        var nullable = false;
        var members = new List<FieldType>();
        foreach (var member in union.EnumerateArray())
        {
            if (member.ValueKind == JsonValueKind.String && member.GetString() == "null")
            {
                nullable = true;
            }
            else if (member.ValueKind == JsonValueKind.String)
            {
                if (ParsePrimitive(field, member.GetString()!, errors) is { } primitive)
                {
                    members.Add(primitive);
                }
                else
                {
                    return null;
                }
            }
            else
            {
                errors.Add(new SchemaError(field, SchemaRules.Flat, "schemas must be flat: a union may only hold null and one primitive type"));
                return null;
            }
        }

        if (members.Count != 1)
        {
            errors.Add(new SchemaError(field, SchemaRules.NullableUnion,
                $"a union must be [\"null\", <type>] with exactly one non-null type (found {members.Count})"));
            return null;
        }

        return (members[0], nullable);
    }

    private static FieldType? ParsePrimitive(string field, string name, List<SchemaError> errors)
    {
        if (FieldTypeNames.FromAvro(name) is { } type)
        {
            return type;
        }

        errors.Add(ComplexTypes.Contains(name)
            ? new SchemaError(field, SchemaRules.Flat, $"schemas must be flat: type \"{name}\" is not allowed")
            : name == "null"
                ? new SchemaError(field, SchemaRules.NullableUnion, "a field cannot be only null: use [\"null\", <type>]")
                : new SchemaError(field, SchemaRules.FieldType, $"type \"{name}\" is not allowed (use {AllowedTypes})"));
        return null;
    }

    private static string AllowedTypes => "string, int, long, float, double, boolean";

    private static void CheckDatasetRules(string datasetType, List<SchemaField> fields, List<SchemaError> errors)
    {
        var byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var required = Required[datasetType];
        var reserved = Reserved[datasetType];
        var specialNames = required.Select(r => r.Name).Concat(reserved.Select(r => r.Name)).ToHashSet(StringComparer.Ordinal);

        foreach (var (name, type, _) in required)
        {
            if (!byName.TryGetValue(name, out var field))
            {
                errors.Add(new SchemaError(name, SchemaRules.RequiredField, $"{datasetType} schemas must have a {name} field of type {type.ToAvro()}"));
            }
            else if (field.Type != type || field.Nullable)
            {
                errors.Add(new SchemaError(name, SchemaRules.RequiredType, $"{name} must be of type \"{type.ToAvro()}\" (not nullable)"));
            }
        }

        foreach (var (name, type) in reserved)
        {
            if (byName.TryGetValue(name, out var field) && field.Type != type)
            {
                errors.Add(new SchemaError(name, SchemaRules.ReservedType,
                    $"reserved field {name} must be of type \"{type.ToAvro()}\" or [\"null\", \"{type.ToAvro()}\"]"));
            }
        }

        var textualCount = 0;
        foreach (var field in fields)
        {
            var special = specialNames.Contains(field.Name);
            var misspelt = specialNames.FirstOrDefault(s => !special && string.Equals(s, field.Name, StringComparison.OrdinalIgnoreCase));
            if (misspelt is not null)
            {
                errors.Add(new SchemaError(field.Name, SchemaRules.ReservedName, $"reserved field names are upper case: write {misspelt}"));
            }

            if (field.Categorical && field.Textual)
            {
                errors.Add(new SchemaError(field.Name, SchemaRules.Categorical, "a field cannot be both categorical and textual"));
            }

            if (field.Categorical && field.Type != FieldType.String)
            {
                errors.Add(new SchemaError(field.Name, SchemaRules.Categorical, "only string fields can be categorical"));
            }
            else if (field.Categorical && special)
            {
                errors.Add(new SchemaError(field.Name, SchemaRules.Categorical, $"{field.Name} is a required or reserved field and cannot be categorical"));
            }

            if (field.Textual)
            {
                textualCount++;
                if (datasetType != DatasetTypes.Items)
                {
                    errors.Add(new SchemaError(field.Name, SchemaRules.Textual, "textual fields are allowed in Items schemas only"));
                }
                else if (field.Type != FieldType.String)
                {
                    errors.Add(new SchemaError(field.Name, SchemaRules.Textual, "only string fields can be textual"));
                }
                else if (special)
                {
                    errors.Add(new SchemaError(field.Name, SchemaRules.Textual, $"{field.Name} is a required or reserved field and cannot be textual"));
                }
                else if (textualCount == 2)
                {
                    errors.Add(new SchemaError(field.Name, SchemaRules.Textual, "an Items schema may have at most one textual field"));
                }
            }
        }

        var metadata = fields.Where(f => !specialNames.Contains(f.Name)).ToList();
        var limit = datasetType switch
        {
            DatasetTypes.Interactions => MaxInteractionMetadataFields,
            DatasetTypes.Users => MaxUserMetadataFields,
            _ => MaxItemMetadataFields,
        };
        if (metadata.Count > limit)
        {
            errors.Add(new SchemaError(RecordField, SchemaRules.MetadataLimit,
                $"{datasetType} schemas may have at most {limit} metadata fields besides the required and reserved ones (found {metadata.Count})"));
        }

        if (datasetType != DatasetTypes.Interactions && !metadata.Any(f => f.Type != FieldType.String || f.Categorical || f.Textual))
        {
            errors.Add(new SchemaError(RecordField, SchemaRules.MetadataRequired,
                datasetType == DatasetTypes.Users
                    ? "a Users schema needs at least one metadata field besides USER_ID: a categorical string or a numeric field"
                    : "an Items schema needs at least one metadata field besides ITEM_ID: a categorical or textual string or a numeric field"));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,149}$")]
    private static partial Regex FieldNamePattern();
}
