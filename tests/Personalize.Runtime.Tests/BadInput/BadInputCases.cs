using System.Text.Json.Nodes;

namespace Personalize.Runtime.Tests.BadInput;

/// <summary>One malformed request: where it goes, its raw body, and the answer it must get.</summary>
public sealed record BadInputCase(string Name, string Path, string Body, int Status, string Field);

/// <summary>
/// Bad requests for every runtime endpoint, generated from each field's rules in the Personalize service models
/// (required, lengths, counts, patterns, ranges, JSON types) and the datasets' schemas, plus what review found
/// (a lone-surrogate escape, 1e400, a null metadata column). Each starts from a valid body and breaks one field.
/// </summary>
public static class BadInputCases
{
    /// <summary>Stands for a lone-surrogate escape in the JSON text (System.Text.Json will not write one).</summary>
    private const string LoneSurrogate = "@@LONE_SURROGATE@@";

    private const string Campaign = RuntimeServer.CampaignArn;
    private const string Genre = "arn:k8s:personalize:test::filter/genre";

    public static IReadOnlyList<BadInputCase> All { get; } = Generate().ToList();

    private static IEnumerable<BadInputCase> Generate()
    {
        foreach (var c in Recommendations())
        {
            yield return c;
        }

        foreach (var c in Ranking())
        {
            yield return c;
        }

        foreach (var c in Events())
        {
            yield return c;
        }

        foreach (var c in Records("/users", "users", "userId", RuntimeServer.UsersDatasetArn, UsersProperties()))
        {
            yield return c;
        }

        foreach (var c in Records("/items", "items", "itemId", RuntimeServer.ItemsDatasetArn, ItemsProperties()))
        {
            yield return c;
        }

        foreach (var path in new[] { "/recommendations", "/personalize-ranking", "/events", "/users", "/items" })
        {
            foreach (var c in Bodies(path))
            {
                yield return c;
            }
        }
    }

    /// <summary>Bodies that are not a request object at all.</summary>
    private static IEnumerable<BadInputCase> Bodies(string path)
    {
        var raw = new (string Name, string Body)[]
        {
            ("empty", string.Empty),
            ("null", "null"),
            ("array", "[]"),
            ("number", "42"),
            ("string", "\"hello\""),
            ("truncated", "{\"a\": "),
            ("trailing comma", "{\"a\": 1,}"),
            ("single quotes", "{'a': 1}"),
            ("deep nesting", new string('[', 100) + new string(']', 100)),
            ("unclosed string", "{\"a\": \"x}"),
        };
        foreach (var (name, body) in raw)
        {
            yield return new BadInputCase($"{path} body {name}", path, body, 400, "request body");
        }
    }

    private static IEnumerable<BadInputCase> Recommendations()
    {
        const string path = "/recommendations";
        JsonObject Valid() => new() { ["campaignArn"] = Campaign, ["userId"] = "u1", ["numResults"] = 5 };
        foreach (var c in Strings(path, Valid, "campaignArn", required: true, max: 256, arn: true))
        {
            yield return c;
        }

        foreach (var c in Strings(path, Valid, "userId", required: false, max: 256))
        {
            yield return c;
        }

        foreach (var c in Strings(path, Valid, "itemId", required: false, max: 256))
        {
            yield return c;
        }

        foreach (var c in Strings(path, Valid, "filterArn", required: false, max: 256, arn: true))
        {
            yield return c;
        }

        foreach (var (name, value) in new (string, JsonNode?)[] { ("-1", -1), ("501", 501), ("text", "many"), ("fraction", 1.5), ("true", true), ("list", new JsonArray()) })
        {
            yield return Case(path, $"numResults {name}", Valid, b => b["numResults"] = value, "numResults");
        }

        yield return Raw(path, "numResults 1e400", $"{{\"campaignArn\": \"{Campaign}\", \"userId\": \"u1\", \"numResults\": 1e400}}", "numResults");
        foreach (var c in StringMaps(path, Valid, "context", maxEntries: 150, maxKey: 150, maxValue: 1000))
        {
            yield return c;
        }

        foreach (var c in StringMaps(path, () => Set(Valid(), "filterArn", Genre), "filterValues", maxEntries: 25, maxKey: 50, maxValue: 1000))
        {
            yield return c;
        }

        JsonObject Promotion() => new() { ["name"] = "sale", ["percentPromotedItems"] = 25, ["filterArn"] = Genre, ["filterValues"] = new JsonObject { ["GENRE"] = "\"Drama\"" } };
        JsonObject WithPromotion(Action<JsonObject> change)
        {
            var promotion = Promotion();
            change(promotion);
            return Set(Valid(), "promotions", new JsonArray(promotion));
        }

        yield return Case(path, "promotions two", Valid, b => b["promotions"] = new JsonArray(Promotion(), Promotion()), "promotions");
        yield return Case(path, "promotions null entry", Valid, b => b["promotions"] = new JsonArray((JsonNode?)null), "promotions[0]");
        yield return Case(path, "promotions not a list", Valid, b => b["promotions"] = "sale", "promotions");
        yield return Case(path, "promotions name missing", () => WithPromotion(p => p.Remove("name")), _ => { }, "promotions[0].name");
        yield return Case(path, "promotions name pattern", () => WithPromotion(p => p["name"] = "-sale!"), _ => { }, "promotions[0].name");
        yield return Case(path, "promotions name too long", () => WithPromotion(p => p["name"] = new string('a', 64)), _ => { }, "promotions[0].name");
        yield return Case(path, "promotions percent 0", () => WithPromotion(p => p["percentPromotedItems"] = 0), _ => { }, "promotions[0].percentPromotedItems");
        yield return Case(path, "promotions percent 101", () => WithPromotion(p => p["percentPromotedItems"] = 101), _ => { }, "promotions[0].percentPromotedItems");
        yield return Case(path, "promotions percent text", () => WithPromotion(p => p["percentPromotedItems"] = "half"), _ => { }, "promotions[0].percentPromotedItems");
        yield return Case(path, "promotions filterArn missing", () => WithPromotion(p => p.Remove("filterArn")), _ => { }, "promotions[0].filterArn");
        yield return Case(path, "promotions filterArn not an ARN", () => WithPromotion(p => p["filterArn"] = "genre"), _ => { }, "promotions[0].filterArn");
        yield return Case(path, "promotions filterArn unknown", () => WithPromotion(p => p["filterArn"] = Genre + "-gone"), _ => { }, "Filter", 404);
        yield return Case(path, "unknown campaign", Valid, b => b["campaignArn"] = Campaign + "-other", "Campaign", 404);
        yield return Case(path, "unknown filter", Valid, b => b["filterArn"] = Genre + "-gone", "Filter", 404);
        yield return Case(path, "filter value missing", Valid, b => b["filterArn"] = Genre, "filterValues.GENRE");
        yield return Case(path, "filter value unquoted", Valid, b => Set(Set(b, "filterArn", Genre), "filterValues", new JsonObject { ["GENRE"] = "Drama" }), "filterValues.GENRE");
        foreach (var c in MetadataColumns(path, Valid))
        {
            yield return c;
        }
    }

    private static IEnumerable<BadInputCase> Ranking()
    {
        const string path = "/personalize-ranking";
        JsonObject Valid() => new() { ["campaignArn"] = Campaign, ["userId"] = "u1", ["inputList"] = new JsonArray("i1", "i2") };
        foreach (var c in Strings(path, Valid, "campaignArn", required: true, max: 256, arn: true))
        {
            yield return c;
        }

        foreach (var c in Strings(path, Valid, "userId", required: true, max: 256, min: 1))
        {
            yield return c;
        }

        yield return Case(path, "inputList missing", Valid, b => b.Remove("inputList"), "inputList");
        yield return Case(path, "inputList 501", Valid, b => b["inputList"] = new JsonArray(Enumerable.Range(0, 501).Select(i => (JsonNode?)$"i{i}").ToArray()), "inputList");
        yield return Case(path, "inputList not a list", Valid, b => b["inputList"] = "i1", "inputList");
        yield return Case(path, "inputList empty id", Valid, b => b["inputList"] = new JsonArray("i1", ""), "inputList[1]");
        yield return Case(path, "inputList null id", Valid, b => b["inputList"] = new JsonArray("i1", null), "inputList[1]");
        yield return Case(path, "inputList long id", Valid, b => b["inputList"] = new JsonArray(new string('i', 257)), "inputList[0]");
        yield return Case(path, "inputList number id", Valid, b => b["inputList"] = new JsonArray(7), "inputList");
        yield return Case(path, "inputList lone surrogate", Valid, b => b["inputList"] = new JsonArray(LoneSurrogate), "inputList");
        foreach (var c in StringMaps(path, Valid, "context", maxEntries: 150, maxKey: 150, maxValue: 1000))
        {
            yield return c;
        }

        foreach (var c in MetadataColumns(path, Valid))
        {
            yield return c;
        }
    }

    private static IEnumerable<BadInputCase> Events()
    {
        const string path = "/events";
        JsonObject Event() => new() { ["eventType"] = "click", ["itemId"] = "i1", ["sentAt"] = 1_700_000_100 };
        JsonObject Valid() => new() { ["trackingId"] = RuntimeServer.TrackingId, ["userId"] = "u1", ["sessionId"] = "s1", ["eventList"] = new JsonArray(Event()) };
        JsonObject WithEvent(Action<JsonObject> change)
        {
            var e = Event();
            change(e);
            return Set(Valid(), "eventList", new JsonArray(e));
        }

        foreach (var c in Strings(path, Valid, "trackingId", required: true, max: 256, min: 1))
        {
            yield return c;
        }

        foreach (var c in Strings(path, Valid, "userId", required: false, max: 256, min: 1))
        {
            yield return c;
        }

        foreach (var c in Strings(path, Valid, "sessionId", required: true, max: 256, min: 1))
        {
            yield return c;
        }

        yield return Case(path, "unknown trackingId", Valid, b => b["trackingId"] = "another-tracker", "trackingId", 404);
        yield return Case(path, "eventList missing", Valid, b => b.Remove("eventList"), "eventList");
        yield return Case(path, "eventList empty", Valid, b => b["eventList"] = new JsonArray(), "eventList");
        yield return Case(path, "eventList 11", Valid, b => b["eventList"] = new JsonArray(Enumerable.Range(0, 11).Select(_ => (JsonNode?)Event()).ToArray()), "eventList");
        yield return Case(path, "eventList null entry", Valid, b => b["eventList"] = new JsonArray((JsonNode?)null), "eventList[0]");
        yield return Case(path, "eventList not a list", Valid, b => b["eventList"] = Event(), "eventList");
        foreach (var (field, required, max) in new[] { ("eventType", true, 256), ("eventId", false, 256), ("itemId", false, 256), ("recommendationId", false, 40) })
        {
            foreach (var c in Strings(path, () => WithEvent(_ => { }), field, required, max, min: 1, at: "eventList[0]"))
            {
                yield return c;
            }
        }

        yield return Case(path, "sentAt missing", () => WithEvent(e => e.Remove("sentAt")), _ => { }, "eventList[0].sentAt");
        yield return Case(path, "sentAt text", () => WithEvent(e => e["sentAt"] = "yesterday"), _ => { }, "eventList[0].sentAt");
        yield return Case(path, "sentAt negative", () => WithEvent(e => e["sentAt"] = -5), _ => { }, "eventList[0].sentAt");
        yield return Case(path, "sentAt year 10000", () => WithEvent(e => e["sentAt"] = 253402300800), _ => { }, "eventList[0].sentAt");
        yield return Case(path, "sentAt list", () => WithEvent(e => e["sentAt"] = new JsonArray()), _ => { }, "eventList[0].sentAt");
        yield return Case(path, "eventValue text", () => WithEvent(e => e["eventValue"] = "high"), _ => { }, "eventList[0].eventValue");
        yield return Raw(path, "eventValue 1e400", Valid().ToJsonString().Replace("\"sentAt\":1700000100", "\"sentAt\":1700000100,\"eventValue\":1e400", StringComparison.Ordinal), "eventList[0].eventValue");
        yield return Case(path, "impression empty", () => WithEvent(e => e["impression"] = new JsonArray()), _ => { }, "eventList[0].impression");
        yield return Case(path, "impression 26", () => WithEvent(e => e["impression"] = new JsonArray(Enumerable.Range(0, 26).Select(i => (JsonNode?)$"i{i}").ToArray())), _ => { }, "eventList[0].impression");
        yield return Case(path, "impression empty id", () => WithEvent(e => e["impression"] = new JsonArray("")), _ => { }, "eventList[0].impression[0]");
        yield return Case(path, "impression long id", () => WithEvent(e => e["impression"] = new JsonArray(new string('i', 257))), _ => { }, "eventList[0].impression[0]");
        yield return Case(path, "impression null id", () => WithEvent(e => e["impression"] = new JsonArray((JsonNode?)null)), _ => { }, "eventList[0].impression[0]");
        yield return Case(path, "impression not a list", () => WithEvent(e => e["impression"] = "i1|i2"), _ => { }, "eventList[0].impression");
        yield return Case(path, "metricAttribution not an object", () => WithEvent(e => e["metricAttribution"] = "web"), _ => { }, "eventList[0].metricAttribution");
        foreach (var (name, properties) in EventProperties())
        {
            yield return Case(path, $"properties {name}", () => WithEvent(e => e["properties"] = properties), _ => { }, "eventList[0].properties");
        }

        yield return Case(path, "properties not a string", () => WithEvent(e => e["properties"] = new JsonObject { ["c"] = 1 }), _ => { }, "eventList[0].properties");
        foreach (var key in new[] { "userId", "sessionId", "eventType", "timestamp", "recommendationId", "impression" })
        {
            yield return Case(path, $"properties reserved {key}", () => WithEvent(e => e["properties"] = $"{{\"{key}\": \"x\"}}"), _ => { }, "eventList[0].properties");
        }

        foreach (var (name, properties, field) in InteractionsProperties())
        {
            yield return Case(path, $"schema {name}", () => WithEvent(e => e["properties"] = properties), _ => { }, $"eventList[0].properties.{field}");
        }
    }

    private static IEnumerable<(string Name, string Properties)> EventProperties() =>
    [
        ("lone surrogate", "{\"c\":\"\\ud800\"}"),
        ("lone low surrogate", "{\"c\":\"\\udc00x\"}"),
        ("1e400", "{\"c\":1e400}"),
        ("-1e400", "{\"c\":-1e400}"),
        ("nested object", "{\"c\":{\"d\":1}}"),
        ("nested list", "{\"c\":[[1]]}"),
        ("not json", "not json"),
        ("json array", "[1,2]"),
        ("json string", "\"c\""),
        ("empty", string.Empty),
        ("too long", "{\"c\":\"" + new string('x', 1100) + "\"}"),
        ("lone surrogate in list", "{\"c\":[\"\\ud800\"]}"),
    ];

    /// <summary>PutEvents properties against the Interactions schema (TestCampaign.InteractionsSchema: DEVICE, EVENT_VALUE).</summary>
    private static IEnumerable<(string Name, string Properties, string Field)> InteractionsProperties() =>
    [
        ("unknown field", "{\"colour\":\"red\"}", "colour"),
        ("unknown field after a known one", "{\"device\":\"tv\",\"c\":1}", "c"),
        ("categorical number", "{\"device\":5}", "device"),
        ("categorical boolean", "{\"device\":true}", "device"),
        ("categorical list of numbers", "{\"device\":[1,2]}", "device"),
        ("categorical object", "{\"device\":{\"a\":1}}", "device"),
        ("categorical too long", "{\"device\":\"" + new string('d', 1001) + "\"}", "device"),
        ("float as text", "{\"eventValue\":\"high\"}", "eventValue"),
        ("float beyond range", "{\"eventValue\":1e39}", "eventValue"),
        ("fifty unknown keys", "{" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"k{i}\":1")) + "}", "k0"),
    ];

    private static IEnumerable<(string Name, string Properties, string Field)> UsersProperties() =>
    [
        ("unknown field", "{\"colour\":\"red\"}", "colour"),
        ("id field", "{\"userId\":\"u9\"}", "userId"),
        ("int as text", "{\"age\":\"thirty\"}", "age"),
        ("int fraction", "{\"age\":30.5}", "age"),
        ("int beyond range", "{\"age\":3000000000}", "age"),
        ("int 1e400", "{\"age\":1e400}", "age"),
        ("int boolean", "{\"age\":true}", "age"),
        ("non-nullable null", "{\"membership\":null}", "membership"),
        ("categorical number", "{\"membership\":5}", "membership"),
        ("categorical too long", "{\"membership\":\"" + new string('g', 1001) + "\"}", "membership"),
        ("categorical list of numbers", "{\"membership\":[1,2]}", "membership"),
        ("thousands of keys", "{" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"k{i}\":1")) + "}", "k0"),
    ];

    private static IEnumerable<(string Name, string Properties, string Field)> ItemsProperties() =>
    [
        ("unknown field", "{\"colour\":\"red\"}", "colour"),
        ("id field", "{\"itemId\":\"i9\"}", "itemId"),
        ("creationTimestamp as text", "{\"creationTimestamp\":\"yesterday\"}", "creationTimestamp"),
        ("creationTimestamp fraction", "{\"creationTimestamp\":1.5}", "creationTimestamp"),
        ("long beyond range", "{\"creationTimestamp\":1e19}", "creationTimestamp"),
        ("double 1e400", "{\"price\":1e400}", "price"),
        ("double as text", "{\"price\":\"cheap\"}", "price"),
        ("float beyond range", "{\"rating\":1e39}", "rating"),
        ("boolean as text", "{\"inStock\":\"yes\"}", "inStock"),
        ("boolean as number", "{\"inStock\":1}", "inStock"),
        ("categorical number", "{\"genre\":5}", "genre"),
        ("categorical too long", "{\"genre\":\"" + new string('g', 1001) + "\"}", "genre"),
        ("categorical object", "{\"genre\":{\"a\":1}}", "genre"),
        ("thousands of keys", "{" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"k{i}\":1")) + "}", "k0"),
    ];

    /// <summary>PutUsers/PutItems: the request's own rules, then properties against the schema.</summary>
    private static IEnumerable<BadInputCase> Records(string path, string list, string idName, string datasetArn, IEnumerable<(string Name, string Properties, string Field)> schemaCases)
    {
        JsonObject Record() => new() { [idName] = "r1" };
        JsonObject Valid() => new() { ["datasetArn"] = datasetArn, [list] = new JsonArray(Record()) };
        JsonObject WithRecord(Action<JsonObject> change)
        {
            var r = Record();
            change(r);
            return Set(Valid(), list, new JsonArray(Record(), r));
        }

        foreach (var c in Strings(path, Valid, "datasetArn", required: true, max: 256, arn: true))
        {
            yield return c;
        }

        yield return Case(path, "datasetArn of another dataset", Valid, b => b["datasetArn"] = datasetArn + "-other", "datasetArn", 404);
        yield return Case(path, $"{list} missing", Valid, b => b.Remove(list), list);
        yield return Case(path, $"{list} empty", Valid, b => b[list] = new JsonArray(), list);
        yield return Case(path, $"{list} 11", Valid, b => b[list] = new JsonArray(Enumerable.Range(0, 11).Select(_ => (JsonNode?)Record()).ToArray()), list);
        yield return Case(path, $"{list} null entry", Valid, b => b[list] = new JsonArray((JsonNode?)null), $"{list}[0]");
        yield return Case(path, $"{list} not a list", Valid, b => b[list] = Record(), list);
        foreach (var c in Strings(path, () => WithRecord(_ => { }), idName, required: true, max: 256, min: 1, at: $"{list}[1]"))
        {
            yield return c;
        }

        foreach (var (name, properties) in EventProperties().Where(p => p.Name != "too long"))
        {
            yield return Case(path, $"properties {name}", () => WithRecord(r => r["properties"] = properties), _ => { }, $"{list}[1].properties");
        }

        foreach (var (name, properties, field) in schemaCases)
        {
            yield return Case(path, $"schema {name}", () => WithRecord(r => r["properties"] = properties), _ => { }, $"{list}[1].properties.{field}");
        }
    }

    /// <summary>A string field's rules: required, not empty (when min is 1), at most max characters, an ARN, a string.</summary>
    private static IEnumerable<BadInputCase> Strings(string path, Func<JsonObject> valid, string field, bool required, int max, int min = 0, bool arn = false, string? at = null)
    {
        var name = at is null ? field : $"{at}.{field}";
        JsonObject Change(Action<JsonNode, string> change)
        {
            var body = valid();
            var target = at is null ? body : Navigate(body, at);
            change(target, field);
            return body;
        }

        if (required)
        {
            yield return Case(path, $"{name} missing", () => Change((t, f) => t.AsObject().Remove(f)), _ => { }, name);
        }

        if (min > 0)
        {
            yield return Case(path, $"{name} empty", () => Change((t, f) => t[f] = string.Empty), _ => { }, name);
        }

        yield return Case(path, $"{name} too long", () => Change((t, f) => t[f] = (arn ? "arn:aws:personalize:::campaign/" : string.Empty) + new string('x', max + 1)), _ => { }, name);
        yield return Case(path, $"{name} number", () => Change((t, f) => t[f] = 12), _ => { }, name);
        yield return Case(path, $"{name} object", () => Change((t, f) => t[f] = new JsonObject()), _ => { }, name);
        yield return Case(path, $"{name} lone surrogate", () => Change((t, f) => t[f] = (arn ? "arn:aws:personalize:::campaign/" : "x") + LoneSurrogate), _ => { }, name);
        if (arn)
        {
            yield return Case(path, $"{name} not an ARN", () => Change((t, f) => t[f] = "campaign/movies"), _ => { }, name);
        }
    }

    private static IEnumerable<BadInputCase> StringMaps(string path, Func<JsonObject> valid, string field, int maxEntries, int maxKey, int maxValue)
    {
        JsonObject Map(int count) => new(Enumerable.Range(0, count).Select(i => KeyValuePair.Create($"K{i}", (JsonNode?)"v")));
        yield return Case(path, $"{field} too many", valid, b => b[field] = Map(maxEntries + 1), field);
        yield return Case(path, $"{field} bad key", valid, b => b[field] = new JsonObject { ["bad key!"] = "v" }, field);
        yield return Case(path, $"{field} long key", valid, b => b[field] = new JsonObject { [new string('K', maxKey + 1)] = "v" }, field);
        yield return Case(path, $"{field} long value", valid, b => b[field] = new JsonObject { ["K"] = new string('v', maxValue + 1) }, $"{field}.K");
        yield return Case(path, $"{field} number value", valid, b => b[field] = new JsonObject { ["K"] = 5 }, field);
        yield return Case(path, $"{field} lone surrogate value", valid, b => b[field] = new JsonObject { ["K"] = LoneSurrogate }, field);
        yield return Case(path, $"{field} not an object", valid, b => b[field] = new JsonArray("K"), field);
    }

    private static IEnumerable<BadInputCase> MetadataColumns(string path, Func<JsonObject> valid)
    {
        JsonObject With(JsonNode? items) => Set(valid(), "metadataColumns", new JsonObject { ["ITEMS"] = items });
        yield return Case(path, "metadataColumns null name", () => With(new JsonArray((JsonNode?)null)), _ => { }, "metadataColumns.ITEMS[0]");
        yield return Case(path, "metadataColumns second null", () => With(new JsonArray("GENRE", null)), _ => { }, "metadataColumns.ITEMS[1]");
        yield return Case(path, "metadataColumns empty name", () => With(new JsonArray("")), _ => { }, "metadataColumns.ITEMS[0]");
        yield return Case(path, "metadataColumns long name", () => With(new JsonArray(new string('G', 151))), _ => { }, "metadataColumns.ITEMS[0]");
        yield return Case(path, "metadataColumns lone surrogate", () => With(new JsonArray("G" + LoneSurrogate)), _ => { }, "metadataColumns");
        yield return Case(path, "metadataColumns 100 names", () => With(new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode?)$"C{i}").ToArray())), _ => { }, "metadataColumns.ITEMS");
        yield return Case(path, "metadataColumns ITEMS null", () => With(null), _ => { }, "metadataColumns.ITEMS");
        yield return Case(path, "metadataColumns ITEMS not a list", () => With("GENRE"), _ => { }, "metadataColumns");
        yield return Case(path, "metadataColumns USERS", () => Set(valid(), "metadataColumns", new JsonObject { ["USERS"] = new JsonArray("AGE") }), _ => { }, "metadataColumns");
    }

    private static BadInputCase Case(string path, string name, Func<JsonObject> valid, Action<JsonObject> change, string field, int status = 400)
    {
        var body = valid();
        change(body);
        return new BadInputCase($"{path} {name}", path, body.ToJsonString().Replace(LoneSurrogate, "\\ud800", StringComparison.Ordinal), status, field);
    }

    private static BadInputCase Raw(string path, string name, string body, string field) => new($"{path} {name}", path, body, 400, field);

    private static JsonObject Set(JsonObject body, string field, JsonNode? value)
    {
        body[field] = value;
        return body;
    }

    /// <summary>"eventList[0]" or "users[1]": the object at that place in the body.</summary>
    private static JsonNode Navigate(JsonObject body, string at)
    {
        var open = at.IndexOf('[', StringComparison.Ordinal);
        var index = int.Parse(at[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        return body[at[..open]]![index]!;
    }
}
