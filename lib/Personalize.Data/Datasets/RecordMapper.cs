using Personalize.Data.Schemas;

namespace Personalize.Data.Datasets;

/// <summary>Turns rows (Parquet batches or real-time field maps) into typed records and records back into field maps.</summary>
internal static class RecordMapper
{
    /// <summary>Interaction columns that have a property of their own and so are not context.</summary>
    private static readonly HashSet<string> InteractionReserved =
    [
        FieldNames.UserId, FieldNames.ItemId, FieldNames.Timestamp, FieldNames.EventType, FieldNames.EventValue,
        FieldNames.Impression, FieldNames.RecommendationId, FieldNames.EventAttributionSource,
    ];

    public static Func<int, Interaction> Interactions(RowBatch batch)
    {
        var user = Require(batch, FieldNames.UserId);
        var item = Require(batch, FieldNames.ItemId);
        var time = Require(batch, FieldNames.Timestamp);
        var eventType = Optional(batch, FieldNames.EventType);
        var eventValue = Optional(batch, FieldNames.EventValue);
        var impression = Optional(batch, FieldNames.Impression);
        var recommendation = Optional(batch, FieldNames.RecommendationId);
        var context = batch.Columns.Where(c => !InteractionReserved.Contains(c.Name)).ToArray();
        return row => new Interaction(
            FieldValues.AsString(user.Get(row))!,
            FieldValues.AsString(item.Get(row))!,
            FieldValues.AsLong(time.Get(row)) ?? 0,
            FieldValues.AsString(eventType?.Get(row)),
            FieldValues.AsFloat(eventValue?.Get(row)),
            FieldValues.AsString(impression?.Get(row)),
            FieldValues.AsString(recommendation?.Get(row)),
            context.Length == 0 ? Interaction.NoContext : context.ToDictionary(c => c.Name, c => FieldValues.AsString(c.Get(row))));
    }

    public static Func<int, UserRecord> Users(RowBatch batch, DatasetSchema? schema)
    {
        var user = Require(batch, FieldNames.UserId);
        var fields = MetadataColumns(batch, schema, FieldNames.UserId);
        return row => new UserRecord(FieldValues.AsString(user.Get(row))!, fields.ToDictionary(c => c.Name, c => c.Get(row)));
    }

    public static Func<int, ItemRecord> Items(RowBatch batch, DatasetSchema? schema)
    {
        var item = Require(batch, FieldNames.ItemId);
        var created = Optional(batch, FieldNames.CreationTimestamp);
        var fields = MetadataColumns(batch, schema, FieldNames.ItemId, FieldNames.CreationTimestamp);
        return row => new ItemRecord(FieldValues.AsString(item.Get(row))!, FieldValues.AsLong(created?.Get(row)),
            fields.ToDictionary(c => c.Name, c => c.Get(row)));
    }

    /// <summary>
    /// A real-time event as an interaction. An anonymous event (sessionId, no userId) belongs to the user who later
    /// sent an event with that sessionId (<paramref name="sessionUsers"/>), else to its session, as Personalize does.
    /// </summary>
    public static Interaction InteractionFrom(IReadOnlyDictionary<string, object?> fields, IReadOnlyDictionary<string, string> sessionUsers)
    {
        var context = fields.Where(f => !InteractionReserved.Contains(f.Key)).ToDictionary(f => f.Key, f => FieldValues.AsString(f.Value));
        var user = FieldValues.AsString(fields.GetValueOrDefault(FieldNames.UserId)) is { Length: > 0 } id
            ? id
            : SessionId(fields) is { } session ? sessionUsers.GetValueOrDefault(session) ?? session : throw Missing(FieldNames.UserId);
        return new Interaction(
            user,
            RequireValue(fields, FieldNames.ItemId),
            FieldValues.AsLong(fields.GetValueOrDefault(FieldNames.Timestamp)) ?? throw Missing(FieldNames.Timestamp),
            FieldValues.AsString(fields.GetValueOrDefault(FieldNames.EventType)),
            FieldValues.AsFloat(fields.GetValueOrDefault(FieldNames.EventValue)),
            FieldValues.AsString(fields.GetValueOrDefault(FieldNames.Impression)),
            FieldValues.AsString(fields.GetValueOrDefault(FieldNames.RecommendationId)),
            context.Count == 0 ? Datasets.Interaction.NoContext : context);
    }

    public static UserRecord UserFrom(IReadOnlyDictionary<string, object?> fields, DatasetSchema? schema) =>
        new(RequireValue(fields, FieldNames.UserId), Metadata(fields, schema, FieldNames.UserId));

    public static ItemRecord ItemFrom(IReadOnlyDictionary<string, object?> fields, DatasetSchema? schema) =>
        new(RequireValue(fields, FieldNames.ItemId), FieldValues.TryAs(fields.GetValueOrDefault(FieldNames.CreationTimestamp), FieldType.Long) as long?,
            Metadata(fields, schema, FieldNames.ItemId, FieldNames.CreationTimestamp));

    public static Dictionary<string, object?> Fields(Interaction interaction)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [FieldNames.UserId] = interaction.UserId,
            [FieldNames.ItemId] = interaction.ItemId,
            [FieldNames.Timestamp] = interaction.Timestamp,
        };
        AddIfSet(fields, FieldNames.EventType, interaction.EventType);
        AddIfSet(fields, FieldNames.EventValue, interaction.EventValue);
        AddIfSet(fields, FieldNames.Impression, interaction.Impression);
        AddIfSet(fields, FieldNames.RecommendationId, interaction.RecommendationId);
        foreach (var (key, value) in interaction.Context)
        {
            fields[key] = value;
        }

        return fields;
    }

    public static Dictionary<string, object?> Fields(UserRecord user) =>
        new(user.Fields.Prepend(new KeyValuePair<string, object?>(FieldNames.UserId, user.UserId)), StringComparer.Ordinal);

    public static Dictionary<string, object?> Fields(ItemRecord item)
    {
        var fields = new Dictionary<string, object?>(item.Fields, StringComparer.Ordinal) { [FieldNames.ItemId] = item.ItemId };
        AddIfSet(fields, FieldNames.CreationTimestamp, item.CreationTimestamp);
        return fields;
    }

    private static void AddIfSet(Dictionary<string, object?> fields, string name, object? value)
    {
        if (value is not null)
        {
            fields[name] = value;
        }
    }

    private static Dictionary<string, object?> Metadata(IReadOnlyDictionary<string, object?> fields, DatasetSchema? schema, params string[] exclude)
    {
        // Only schema columns: a real-time record can hold no more than the dataset's schema (none without one), so what
        // clients once sent cannot grow every reader's memory. Every schema column is present (null when absent) and
        // typed as the schema says; a value stored before PutItems/PutUsers checked types reads as null rather than
        // failing every later training.
        return schema is null
            ? new Dictionary<string, object?>(StringComparer.Ordinal)
            : schema.Fields.Where(f => !exclude.Contains(f.Name))
                .ToDictionary(f => f.Name, f => FieldValues.TryAs(fields.GetValueOrDefault(f.Name), f.Type), StringComparer.Ordinal);
    }

    private static ColumnBuffer[] MetadataColumns(RowBatch batch, DatasetSchema? schema, params string[] exclude) =>
        batch.Columns.Where(c => !exclude.Contains(c.Name) && (schema is null || schema.Find(c.Name) is not null)).ToArray();

    private static ColumnBuffer Require(RowBatch batch, string name) =>
        batch.IndexOf(name) is var i and >= 0 ? batch.Columns[i] : throw new InvalidDataException($"Dataset file has no {name} column.");

    private static ColumnBuffer? Optional(RowBatch batch, string name) => batch.IndexOf(name) is var i and >= 0 ? batch.Columns[i] : null;

    public static string? SessionId(IReadOnlyDictionary<string, object?> fields) =>
        FieldValues.AsString(fields.GetValueOrDefault(FieldNames.SessionId)) is { Length: > 0 } session ? session : null;

    public static bool HasItem(IReadOnlyDictionary<string, object?> fields) =>
        FieldValues.AsString(fields.GetValueOrDefault(FieldNames.ItemId)) is { Length: > 0 };

    private static string RequireValue(IReadOnlyDictionary<string, object?> fields, string name) =>
        FieldValues.AsString(fields.GetValueOrDefault(name)) is { Length: > 0 } value ? value : throw Missing(name);

    private static InvalidDataException Missing(string name) => new($"Record has no {name}.");
}
