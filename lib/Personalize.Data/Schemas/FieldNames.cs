namespace Personalize.Data.Schemas;

/// <summary>The required and reserved column names of Personalize's schemas (section 4 of the reference).</summary>
public static class FieldNames
{
    public const string UserId = "USER_ID";
    public const string ItemId = "ITEM_ID";
    public const string Timestamp = "TIMESTAMP";
    public const string EventType = "EVENT_TYPE";
    public const string EventValue = "EVENT_VALUE";
    public const string Impression = "IMPRESSION";
    public const string RecommendationId = "RECOMMENDATION_ID";
    public const string EventAttributionSource = "EVENT_ATTRIBUTION_SOURCE";
    public const string CreationTimestamp = "CREATION_TIMESTAMP";

    /// <summary>PutEvents' sessionId as real-time records store it (not a schema field: it ties anonymous events to a user).</summary>
    public const string SessionId = "SESSION_ID";

    /// <summary>Identifiers (USER_ID, ITEM_ID, impression ids) are at most this long.</summary>
    public const int MaxIdLength = 256;

    /// <summary>A categorical value, bars included, is at most this long.</summary>
    public const int MaxCategoricalLength = 1000;

    /// <summary>Textual values longer than this are truncated, as Personalize does.</summary>
    public const int MaxTextualLength = 20_000;

    /// <summary>The separator of categorical multi-values and of impression item ids.</summary>
    public const char MultiValueSeparator = '|';

    /// <summary>Splits a categorical or impression value on '|' (empty parts dropped).</summary>
    public static string[] SplitMultiValue(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(MultiValueSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
