using Personalize.Data.Schemas;

namespace Personalize.Models.Training;

/// <summary>
/// Contextual metadata (the Interactions schema's categorical columns, such as DEVICE) as tokens "DEVICE=mobile".
/// Training reads them from each event and serving from the request's `context`, so both spell them here. Field
/// names are upper-cased, since Personalize matches field names without regard to case; values keep their case.
/// </summary>
public static class ContextTokens
{
    public static IEnumerable<string> Of(IReadOnlyDictionary<string, string>? context) =>
        context is null ? [] : context.SelectMany(pair => FieldNames.SplitMultiValue(pair.Value).Select(value => Token(pair.Key, value)));

    public static string Token(string field, string value) => $"{field.ToUpperInvariant()}={value}";

    /// <summary>The field a token belongs to (upper case).</summary>
    public static string FieldOf(string token) => token[..token.IndexOf('=', StringComparison.Ordinal)];
}
