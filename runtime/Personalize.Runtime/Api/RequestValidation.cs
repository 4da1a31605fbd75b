using System.Text.Json;
using System.Text.RegularExpressions;

namespace Personalize.Runtime.Api;

/// <summary>
/// The field rules of the personalize-runtime and personalize-events service models (lengths, counts, patterns),
/// checked before anything is served or stored. Each returns the first problem as a message naming the field.
/// </summary>
public static partial class RequestValidation
{
    public const int MaxNumResults = 500;
    public const int DefaultNumResults = 25;
    public const int MaxInputList = 500;
    public const int MaxEvents = 10;
    public const int MaxRecords = 10;

    public static string? Validate(GetRecommendationsRequest request)
    {
        return Arn("campaignArn", request.CampaignArn)
            ?? Arn("recommenderArn", request.RecommenderArn)
            ?? (request.CampaignArn is null && request.RecommenderArn is null ? "campaignArn is required." : null)
            ?? Length("userId", request.UserId, 0, 256)
            ?? Length("itemId", request.ItemId, 0, 256)
            ?? (request.NumResults is < 0 or > MaxNumResults
                ? $"numResults must be between 0 and {MaxNumResults}; got {request.NumResults}." : null)
            ?? Context(request.Context)
            ?? Arn("filterArn", request.FilterArn)
            ?? FilterValues(request.FilterValues)
            ?? Promotions(request.Promotions)
            ?? MetadataColumns(request.MetadataColumns);
    }

    public static string? Validate(GetPersonalizedRankingRequest request)
    {
        if (Arn("campaignArn", request.CampaignArn) is { } arnError)
        {
            return arnError;
        }

        if (request.CampaignArn is null)
        {
            return "campaignArn is required.";
        }

        if (string.IsNullOrEmpty(request.UserId))
        {
            return "userId is required.";
        }

        if (request.InputList is null)
        {
            return "inputList is required.";
        }

        if (request.InputList.Count > MaxInputList)
        {
            return $"inputList has {request.InputList.Count} items; at most {MaxInputList} are allowed.";
        }

        for (var i = 0; i < request.InputList.Count; i++)
        {
            if (Length($"inputList[{i}]", request.InputList[i], 1, 256) is { } error)
            {
                return error;
            }
        }

        return Length("userId", request.UserId, 1, 256)
            ?? Context(request.Context)
            ?? Arn("filterArn", request.FilterArn)
            ?? FilterValues(request.FilterValues)
            ?? MetadataColumns(request.MetadataColumns);
    }

    public static string? Validate(PutEventsRequest request)
    {
        var error = Required("trackingId", request.TrackingId) ?? Length("trackingId", request.TrackingId, 1, 256)
            ?? (request.UserId is null ? null : Length("userId", request.UserId, 1, 256))
            ?? Required("sessionId", request.SessionId) ?? Length("sessionId", request.SessionId, 1, 256);
        if (error is not null)
        {
            return error;
        }

        if (request.EventList is null || request.EventList.Count == 0)
        {
            return "eventList is required and must hold 1 to 10 events.";
        }

        if (request.EventList.Count > MaxEvents)
        {
            return $"eventList has {request.EventList.Count} events; at most {MaxEvents} are allowed per call.";
        }

        for (var i = 0; i < request.EventList.Count; i++)
        {
            if (Validate(request.EventList[i], $"eventList[{i}]") is { } eventError)
            {
                return eventError;
            }
        }

        return null;
    }

    public static string? Validate(PutUsersRequest request) =>
        Required("datasetArn", request.DatasetArn) ?? Arn("datasetArn", request.DatasetArn)
        ?? Records("users", request.Users, u => (u?.UserId, u?.Properties), "userId", 24000);

    public static string? Validate(PutItemsRequest request) =>
        Required("datasetArn", request.DatasetArn) ?? Arn("datasetArn", request.DatasetArn)
        ?? Records("items", request.Items, i => (i?.ItemId, i?.Properties), "itemId", 32000);

    private static string? Validate(EventInput? input, string path)
    {
        if (input is null)
        {
            return $"{path} must be an event object, not null.";
        }

        return Required($"{path}.eventType", input.EventType) ?? Length($"{path}.eventType", input.EventType, 1, 256)
            ?? (input.SentAt is null ? $"{path}.sentAt is required (epoch seconds)." : null)
            ?? (input.EventId is null ? null : Length($"{path}.eventId", input.EventId, 1, 256))
            ?? (input.ItemId is null ? null : Length($"{path}.itemId", input.ItemId, 1, 256))
            ?? (input.RecommendationId is null ? null : Length($"{path}.recommendationId", input.RecommendationId, 1, 40))
            ?? (input.EventValue is { } v && !float.IsFinite(v) ? $"{path}.eventValue must be a finite number." : null)
            ?? Impression($"{path}.impression", input.Impression)
            ?? (input.Properties is null ? null : Properties($"{path}.properties", input.Properties, 1024, rejectReserved: true));
    }

    private static string? Promotions(List<PromotionInput>? promotions)
    {
        if (promotions is null)
        {
            return null;
        }

        if (promotions.Count > 1)
        {
            return $"promotions has {promotions.Count} entries; at most 1 is allowed.";
        }

        foreach (var promotion in promotions)
        {
            if (promotion is null)
            {
                return "promotions[0] must be an object, not null.";
            }

            var error = Required("promotions[0].name", promotion.Name)
                ?? (PromotionName().IsMatch(promotion.Name!) ? null : $"promotions[0].name \"{Shorten(promotion.Name!)}\" must be 1-63 characters of [a-zA-Z0-9-_], starting with a letter or digit.")
                ?? (promotion.PercentPromotedItems is >= 1 and <= 100 ? null : $"promotions[0].percentPromotedItems must be between 1 and 100; got {promotion.PercentPromotedItems?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}.")
                ?? Required("promotions[0].filterArn", promotion.FilterArn)
                ?? Arn("promotions[0].filterArn", promotion.FilterArn)
                ?? FilterValues(promotion.FilterValues);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Records<T>(string field, List<T>? records, Func<T?, (string? Id, string? Properties)> read, string idName, int maxProperties)
    {
        if (records is null || records.Count == 0)
        {
            return $"{field} is required and must hold 1 to {MaxRecords} entries.";
        }

        if (records.Count > MaxRecords)
        {
            return $"{field} has {records.Count} entries; at most {MaxRecords} are allowed per call.";
        }

        for (var i = 0; i < records.Count; i++)
        {
            var (id, properties) = read(records[i]);
            var error = Required($"{field}[{i}].{idName}", id) ?? Length($"{field}[{i}].{idName}", id, 1, 256)
                ?? (properties is null ? null : Properties($"{field}[{i}].properties", properties, maxProperties, rejectReserved: false));
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static readonly string[] ReservedPropertyKeys = ["userId", "sessionId", "eventType", "timestamp", "recommendationId", "impression"];

    private static string? Properties(string field, string properties, int max, bool rejectReserved)
    {
        if (Length(field, properties, 1, max) is { } error)
        {
            return error;
        }

        try
        {
            using var document = JsonDocument.Parse(properties);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"{field} must be a JSON object encoded as a string, e.g. \"{{\\\"numberOfRatings\\\": 12}}\".";
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (rejectReserved && ReservedPropertyKeys.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                {
                    return $"{field} may not contain the reserved key \"{property.Name}\" (it is a field of the event itself).";
                }

                if (PropertyValue($"{field}.{property.Name}", property.Value) is { } valueError)
                {
                    return valueError;
                }
            }
        }
        catch (JsonException e)
        {
            return $"{field} is not valid JSON: {e.Message.Split(" Path:", 2)[0]}";
        }

        return null;
    }

    /// <summary>Values every consumer can read back: finite numbers, well-formed strings, one level of arrays.</summary>
    private static string? PropertyValue(string field, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                // Lone-surrogate escapes parse as JSON but cannot become a .NET string or UTF-8.
                return TryGetString(value) is { } text
                    ? Text(field, text)
                    : $"{field} is not valid Unicode text: it holds an unpaired surrogate escape.";
            case JsonValueKind.Number:
                return value.TryGetDouble(out var number) && double.IsFinite(number)
                    ? null
                    : $"{field} is {Shorten(value.GetRawText())}, outside the range of a double.";
            case JsonValueKind.Array:
                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    if (element.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
                    {
                        return $"{field}[{index}] must be a string, number or boolean.";
                    }

                    if (PropertyValue($"{field}[{index}]", element) is { } error)
                    {
                        return error;
                    }

                    index++;
                }

                return null;
            case JsonValueKind.Object:
                return $"{field} must be a string, number, boolean, list or null, not an object.";
            default:
                return null;
        }
    }

    private static string? TryGetString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? Impression(string field, List<string>? impression)
    {
        if (impression is null)
        {
            return null;
        }

        if (impression.Count is < 1 or > 25)
        {
            return $"{field} must list 1 to 25 item ids; got {impression.Count}.";
        }

        for (var i = 0; i < impression.Count; i++)
        {
            if (Length($"{field}[{i}]", impression[i], 1, 256) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Context(Dictionary<string, string>? context)
    {
        if (context is null)
        {
            return null;
        }

        if (context.Count > 150)
        {
            return $"context has {context.Count} entries; at most 150 are allowed.";
        }

        foreach (var (key, value) in context)
        {
            if (!AttributeName().IsMatch(key) || key.Length > 150)
            {
                return $"context key \"{Shorten(key)}\" must match [A-Za-z0-9_]+ and be at most 150 characters.";
            }

            if (Length($"context.{key}", value, 0, 1000) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? FilterValues(Dictionary<string, string>? values)
    {
        if (values is null)
        {
            return null;
        }

        if (values.Count > 25)
        {
            return $"filterValues has {values.Count} entries; at most 25 are allowed.";
        }

        foreach (var (key, value) in values)
        {
            if (!AttributeName().IsMatch(key) || key.Length > 50)
            {
                return $"filterValues key \"{Shorten(key)}\" must match [A-Za-z0-9_]+ (the parameter name without '$') and be at most 50 characters.";
            }

            if (Length($"filterValues.{key}", value, 0, 1000) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? MetadataColumns(Dictionary<string, List<string>>? columns)
    {
        if (columns is null)
        {
            return null;
        }

        foreach (var (dataset, names) in columns)
        {
            if (dataset != "ITEMS")
            {
                return $"metadataColumns key \"{Shorten(dataset)}\" is not supported; only \"ITEMS\" is.";
            }

            if (names is null || names.Count > 99)
            {
                return "metadataColumns.ITEMS must list at most 99 column names.";
            }

            for (var i = 0; i < names.Count; i++)
            {
                if (names[i] is null)
                {
                    return $"metadataColumns.ITEMS[{i}] must be a column name, not null.";
                }

                if (Length($"metadataColumns.ITEMS[{i}]", names[i], 1, 150) is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static string? Required(string field, string? value) => value is null ? $"{field} is required." : null;

    private static string? Length(string field, string? value, int min, int max)
    {
        if (value is null)
        {
            return min > 0 ? $"{field} is required." : null;
        }

        if (value.Length < min)
        {
            return $"{field} must not be empty.";
        }

        if (value.Length > max)
        {
            return $"{field} is {value.Length} characters long; at most {max} are allowed.";
        }

        return Text(field, value);
    }

    /// <summary>A string JSON let through that no store or UTF-8 writer can hold: an unpaired surrogate (\ud800).</summary>
    private static string? Text(string field, string value)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return $"{field} is not valid Unicode text: it holds an unpaired surrogate at character {value.Length - rest.Length}.";
            }

            rest = rest[used..];
        }

        return null;
    }

    private static string? Arn(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > 256)
        {
            return $"{field} is {value.Length} characters long; at most 256 are allowed.";
        }

        return ArnPattern().IsMatch(value) ? null : $"{field} \"{Shorten(value)}\" is not an ARN (arn:PARTITION:personalize:REGION:ACCOUNT:TYPE/NAME).";
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "...";

    [GeneratedRegex(@"^arn:([a-z\d-]+):personalize:.*:.*:.+$")]
    private static partial Regex ArnPattern();

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$")]
    private static partial Regex PromotionName();

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex AttributeName();
}
