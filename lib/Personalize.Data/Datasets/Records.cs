namespace Personalize.Data.Datasets;

/// <summary>
/// One interaction (bulk row or PutEvents event). <see cref="Context"/> holds every other column (contextual metadata
/// such as DEVICE, plus any extra keys a real-time writer recorded, e.g. SESSION_ID) as strings.
/// </summary>
public sealed record Interaction(
    string UserId,
    string ItemId,
    long Timestamp,
    string? EventType,
    float? EventValue,
    string? Impression,
    string? RecommendationId,
    IReadOnlyDictionary<string, string?> Context)
{
    public static IReadOnlyDictionary<string, string?> NoContext { get; } = new Dictionary<string, string?>();
}

/// <summary>One user: USER_ID plus the metadata columns by schema name (string, int, long, float, double or bool values).</summary>
public sealed record UserRecord(string UserId, IReadOnlyDictionary<string, object?> Fields);

/// <summary>
/// One item: ITEM_ID, CREATION_TIMESTAMP (epoch seconds) when the schema has it, and the other metadata columns by
/// schema name. Categorical values keep their '|'-joined form; split them with FieldNames.SplitMultiValue.
/// </summary>
public sealed record ItemRecord(string ItemId, long? CreationTimestamp, IReadOnlyDictionary<string, object?> Fields);
