using System.Text.Json;
using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// What the runtime served under each recommendationId, kept so that training can use an event's recommendationId as
/// its implicit impressions (Personalize: an event with a recommendationId and no impression was shown that
/// recommendation's items). A real-time log beside the datasets' (datasets/Recommendations/realtime/, then compacted),
/// one record per answer: RECOMMENDATION_ID, USER_ID (absent when the request named none), ITEM_IDS ('|'-joined, in
/// served order) and TIMESTAMP (epoch seconds served).
/// </summary>
public static class ServedRecommendations
{
    /// <summary>The log's name where a dataset type's would be (it is not a dataset: nothing imports or exports it).</summary>
    public const string Log = "Recommendations";

    public const string ItemIds = "ITEM_IDS";

    /// <summary>The record of one answer, as <see cref="RealtimeRecordWriter"/> writes it.</summary>
    public static IReadOnlyDictionary<string, object?> Record(string recommendationId, string? userId, IEnumerable<string> items, DateTimeOffset servedAt)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [FieldNames.RecommendationId] = recommendationId,
            [ItemIds] = string.Join(FieldNames.MultiValueSeparator, items),
            [FieldNames.Timestamp] = servedAt.ToUnixTimeSeconds(),
        };
        if (userId is not null)
        {
            fields[FieldNames.UserId] = userId;
        }

        return fields;
    }

    /// <summary>
    /// The served lists of the wanted recommendationIds that the log still holds (compacted and fresh records alike);
    /// the log holds every answer of its retention window, so only the wanted ones are kept in memory. A malformed
    /// record is skipped: it would cost one event its implicit impressions, not the training.
    /// </summary>
    public static async Task<Dictionary<string, ServedList>> ReadAsync(
        IObjectStore store, S3Uri datasetGroup, IReadOnlySet<string> wanted, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ServedList>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return found;
        }

        await foreach (var record in new RealtimeObjects(store, datasetGroup).ReadAllAsync(Log, cancellationToken))
        {
            Dictionary<string, object?> fields;
            try
            {
                using var document = JsonDocument.Parse(record.Line);
                fields = FieldValues.FromJsonObject(document.RootElement);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                continue;
            }

            if (FieldValues.AsString(fields.GetValueOrDefault(FieldNames.RecommendationId)) is { } id && wanted.Contains(id))
            {
                found[id] = new ServedList(
                    FieldValues.AsString(fields.GetValueOrDefault(FieldNames.UserId)),
                    FieldNames.SplitMultiValue(FieldValues.AsString(fields.GetValueOrDefault(ItemIds))));
            }
        }

        return found;
    }
}

/// <summary>One served answer: who it was served to (null when the request named no user) and its items in order.</summary>
public sealed record ServedList(string? UserId, IReadOnlyList<string> Items)
{
    /// <summary>Whether an event of this user (or of this anonymous session) can have been shown this list.</summary>
    public bool ShownTo(string userId, string? sessionId) => UserId is null || UserId == userId || (sessionId is not null && UserId == sessionId);
}
