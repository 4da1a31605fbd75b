namespace Personalize.Data.Schemas;

/// <summary>One column of a dataset schema.</summary>
public sealed record SchemaField(string Name, FieldType Type, bool Nullable, bool Categorical = false, bool Textual = false);
