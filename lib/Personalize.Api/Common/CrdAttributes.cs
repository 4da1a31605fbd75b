namespace Personalize.Api;

/// <summary>Short names kubectl accepts for a kind (`kubectl get cmp`).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortNamesAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>A column `kubectl get` prints for a kind.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(string name, string jsonPath, string type = "string") : Attribute
{
    public string Name { get; } = name;
    public string JsonPath { get; } = jsonPath;
    public string Type { get; } = type;
    public string? Description { get; init; }

    /// <summary>0 shows in the default view; 1 only with `-o wide`.</summary>
    public int Priority { get; init; }
}

/// <summary>Marks a spec field that cannot change after creation; the operator refuses edits in status.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ImmutableAttribute : Attribute;

/// <summary>A field's description in the CRD's OpenAPI schema (what `kubectl explain` shows).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
public sealed class DescriptionAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>A default the API server fills in when the field is omitted.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultValueAttribute(object value) : Attribute
{
    public object Value { get; } = value;
}
