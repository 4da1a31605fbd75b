namespace Personalize.Data.Schemas;

/// <summary>The Avro primitive types a Personalize schema allows (besides null, which only appears in unions).</summary>
public enum FieldType
{
    String,
    Int,
    Long,
    Float,
    Double,
    Boolean,
}

public static class FieldTypeNames
{
    public static string ToAvro(this FieldType type) => type switch
    {
        FieldType.String => "string",
        FieldType.Int => "int",
        FieldType.Long => "long",
        FieldType.Float => "float",
        FieldType.Double => "double",
        FieldType.Boolean => "boolean",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static FieldType? FromAvro(string name) => name switch
    {
        "string" => FieldType.String,
        "int" => FieldType.Int,
        "long" => FieldType.Long,
        "float" => FieldType.Float,
        "double" => FieldType.Double,
        "boolean" => FieldType.Boolean,
        _ => null,
    };

    public static bool IsNumeric(this FieldType type) => type is FieldType.Int or FieldType.Long or FieldType.Float or FieldType.Double;
}
