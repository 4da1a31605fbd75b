using Personalize.Runtime.Api;
using Personalize.Runtime.Serving;

namespace Personalize.Runtime.Realtime;

/// <summary>API requests as dataset rows (Personalize's mapping: userId -> USER_ID, sentAt -> TIMESTAMP, properties -> columns).</summary>
public static class EventRecords
{
    public static RealtimeRecord Interaction(PutEventsRequest request, EventInput input)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (column, value) in PropertyColumns.Parse(input.Properties))
        {
            fields[column] = value;
        }

        fields[RealtimeApplier.UserId] = request.UserId;
        fields[RealtimeApplier.SessionId] = request.SessionId;
        fields[RealtimeApplier.ItemId] = input.ItemId;
        fields[RealtimeApplier.Timestamp] = input.SentAt!.Value.ToUnixTimeSeconds();
        fields[RealtimeApplier.EventType] = input.EventType;
        fields[RealtimeApplier.EventValue] = input.EventValue;
        fields["EVENT_ID"] = input.EventId ?? Guid.NewGuid().ToString();
        fields["RECOMMENDATION_ID"] = input.RecommendationId;
        fields["IMPRESSION"] = input.Impression is null ? null : string.Join('|', input.Impression);
        fields["EVENT_ATTRIBUTION_SOURCE"] = input.MetricAttribution?.EventAttributionSource;
        return new RealtimeRecord(RealtimeApplier.Interactions, fields.Where(f => f.Value is not null).ToDictionary());
    }

    public static RealtimeRecord Metadata(string datasetType, string idColumn, string id, string? properties)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (column, value) in PropertyColumns.Parse(properties))
        {
            fields[column] = value;
        }

        fields[idColumn] = id;
        return new RealtimeRecord(datasetType, fields);
    }
}
