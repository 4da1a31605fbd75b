namespace Personalize.Data.Schemas;

/// <summary>One broken schema rule: the field it concerns ("$" for the record itself), the rule, and what to change.</summary>
public sealed record SchemaError(string Field, string Rule, string Message)
{
    public override string ToString() => $"{Field}: {Message} [{Rule}]";
}

/// <summary>The rules a schema is checked against; each <see cref="SchemaError"/> names one.</summary>
public static class SchemaRules
{
    public const string Json = "valid-json";
    public const string RecordType = "record-type";
    public const string RecordName = "record-name";
    public const string Fields = "fields-list";
    public const string FieldName = "field-name";
    public const string DuplicateField = "unique-field-names";
    public const string Flat = "flat-record";
    public const string FieldType = "allowed-types";
    public const string NullableUnion = "nullable-union";
    public const string RequiredField = "required-field";
    public const string RequiredType = "required-field-type";
    public const string ReservedType = "reserved-field-type";
    public const string ReservedName = "reserved-field-name";
    public const string Categorical = "categorical";
    public const string Textual = "textual";
    public const string MetadataRequired = "metadata-required";
    public const string MetadataLimit = "metadata-limit";
}

/// <summary>A schema that breaks one or more rules; the message lists every broken rule.</summary>
public sealed class SchemaValidationException(IReadOnlyList<SchemaError> errors)
    : Exception("Invalid schema: " + string.Join("; ", errors))
{
    public IReadOnlyList<SchemaError> Errors { get; } = errors;
}

/// <summary>The outcome of validating a schema: the parsed schema when valid, otherwise every broken rule.</summary>
public sealed record SchemaValidationResult(DatasetSchema? Schema, IReadOnlyList<SchemaError> Errors)
{
    public bool IsValid => Schema is not null && Errors.Count == 0;
}
