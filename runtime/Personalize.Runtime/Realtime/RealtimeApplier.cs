using System.Globalization;
using System.Text.Json;
using Personalize.Data.Schemas;
using Personalize.Models.Filters;
using Personalize.Models.Scoring;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Realtime;

/// <summary>Applies real-time rows (this replica's or a peer's) to the campaign's state, the same way for both.</summary>
public static class RealtimeApplier
{
    public const string Interactions = "Interactions";
    public const string Users = "Users";
    public const string Items = "Items";
    public const string UserId = "USER_ID";
    public const string ItemId = "ITEM_ID";
    public const string Timestamp = "TIMESTAMP";
    public const string EventType = "EVENT_TYPE";
    public const string EventValue = "EVENT_VALUE";
    public const string SessionId = "SESSION_ID";

    public static void Apply(CampaignState campaign, string datasetType, IReadOnlyList<IReadOnlyDictionary<string, string?>> rows)
    {
        switch (datasetType)
        {
            case Interactions:
                foreach (var row in rows)
                {
                    // Anonymous events count for their session: Personalize serves the sessionId as the userId until
                    // login, and the first event carrying both ids hands the session's events to the user.
                    var session = row.GetValueOrDefault(SessionId);
                    var user = row.GetValueOrDefault(UserId) is { Length: > 0 } id ? id : session;
                    if (!string.IsNullOrEmpty(session) && user != session)
                    {
                        campaign.Activity.MoveTo(session, user!);
                    }

                    if (!string.IsNullOrEmpty(user) && row.GetValueOrDefault(ItemId) is { Length: > 0 } item)
                    {
                        var value = double.TryParse(row.GetValueOrDefault(EventValue), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null;
                        long.TryParse(row.GetValueOrDefault(Timestamp), NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp);
                        campaign.Activity.Add(user, new FilterInteraction(item, row.GetValueOrDefault(EventType) ?? string.Empty, value, timestamp));
                        (campaign.Recommender as IObservesEvents)?.Observe(item, row.GetValueOrDefault(EventType), value, timestamp);
                    }
                }

                break;
            case Users:
                foreach (var row in rows)
                {
                    if (row.GetValueOrDefault(UserId) is { Length: > 0 } user)
                    {
                        campaign.UpsertUser(user, row.Where(c => c.Key != UserId).ToDictionary());
                    }
                }

                break;
            case Items:
                campaign.UpsertItems(rows
                    .Where(row => row.GetValueOrDefault(ItemId) is { Length: > 0 })
                    .Select(row => new ItemUpdate(row[ItemId]!, row.Where(c => c.Key != ItemId).ToDictionary()))
                    .ToList());
                break;
        }
    }

    /// <summary>
    /// Users/Items rows cut to the dataset's schema columns (just the id without a schema), so records stored before
    /// PutUsers/PutItems were checked, however many keys they hold, cost a replica no more than the schema allows.
    /// </summary>
    public static List<IReadOnlyDictionary<string, string?>> SchemaColumns(IEnumerable<IReadOnlyDictionary<string, string?>> rows, DatasetSchema? schema) =>
        rows.Select(row => (IReadOnlyDictionary<string, string?>)row
                .Where(c => c.Key is UserId or ItemId || schema?.Find(c.Key) is not null)
                .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal))
            .ToList();

    /// <summary>A row as read back from JSON lines in the same text form.</summary>
    public static IReadOnlyDictionary<string, string?> AsText(IReadOnlyDictionary<string, JsonElement> row) =>
        row.ToDictionary(c => c.Key, c => c.Value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => c.Value.GetString(),
            _ => c.Value.GetRawText(),
        });
}
