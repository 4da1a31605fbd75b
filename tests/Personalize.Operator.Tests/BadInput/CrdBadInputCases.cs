using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using Personalize.Api;
using Personalize.Api.Crds;
using Xunit;

namespace Personalize.Operator.Tests.BadInput;

/// <summary>
/// One invalid manifest: a valid baseline of its kind with one rule broken, and the field the rejection must name.
/// <see cref="UnknownField"/>: the broken rule is a field the schema does not have, which only strict field validation refuses.
/// </summary>
public sealed record CrdBadInputCase(Type Kind, string Rule, string Field, JsonObject Manifest, bool UnknownField = false)
{
    public string Id => $"{ApiGroup.EntityOf(Kind).Kind}: {Field} {Rule}";

    /// <summary>True when the case changes the name (a create of another object) rather than the baseline's spec.</summary>
    public bool RenamesTheObject => Field.StartsWith("metadata.", StringComparison.Ordinal);
}

/// <summary>
/// Generates the bad-input cases of every kind from its generated CRD schema (the one config/crd holds): for each field,
/// a value of the wrong type and a value breaking each of its rules (enum, pattern, min/max length, minimum/maximum,
/// max items), every required field left out, bad names, and a field the schema does not declare in each object. Each
/// case starts from a valid baseline of the kind.
/// </summary>
public static class CrdBadInputCases
{
    public const string BaselineName = "baseline";

    /// <summary>A minimal valid spec per kind; fields a case needs are added to it.</summary>
    public static JsonObject Baseline(Type kind)
    {
        var spec = ApiGroup.EntityOf(kind).Kind switch
        {
            nameof(DatasetGroup) => "{}",
            nameof(Schema) => """{"schema":"{\"type\":\"record\",\"name\":\"Interactions\",\"fields\":[{\"name\":\"USER_ID\",\"type\":\"string\"},{\"name\":\"ITEM_ID\",\"type\":\"string\"},{\"name\":\"TIMESTAMP\",\"type\":\"long\"}]}"}""",
            nameof(Dataset) => """{"datasetGroupRef":{"name":"retail"},"schemaRef":{"name":"interactions"},"datasetType":"Interactions"}""",
            nameof(DatasetImportJob) => """{"datasetRef":{"name":"interactions"},"dataSource":{"dataLocation":"s3://input-bucket/interactions.csv"}}""",
            nameof(Solution) => """{"datasetGroupRef":{"name":"retail"},"recipeArn":"arn:aws:personalize:::recipe/aws-hrnn"}""",
            nameof(SolutionVersion) => """{"solutionRef":{"name":"hrnn"}}""",
            nameof(Campaign) => """{"solutionVersionRef":{"name":"hrnn-v1"},"minProvisionedTPS":1}""",
            nameof(BatchInferenceJob) => """{"solutionVersionRef":{"name":"hrnn-v1"},"jobInput":{"s3DataSource":{"path":"s3://input-bucket/users.jsonl"}},"jobOutput":{"s3DataDestination":{"path":"s3://output-bucket/out/"}}}""",
            nameof(EventTracker) => """{"datasetGroupRef":{"name":"retail"}}""",
            nameof(Filter) => """{"datasetGroupRef":{"name":"retail"},"filterExpression":"EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\")"}""",
            var other => throw new ArgumentOutOfRangeException(nameof(kind), other, "no baseline for this kind"),
        };
        return new JsonObject
        {
            ["apiVersion"] = ApiGroup.ApiVersion,
            ["kind"] = ApiGroup.EntityOf(kind).Kind,
            ["metadata"] = new JsonObject { ["name"] = BaselineName },
            ["spec"] = JsonNode.Parse(spec),
        };
    }

    public static IReadOnlyList<CrdBadInputCase> All { get; } = ApiGroup.Kinds.SelectMany(For).ToList();

    /// <summary>The cases (those <paramref name="include"/> takes, else all) as theory rows: an index into <see cref="All"/> and the case's name for the test report.</summary>
    public static TheoryData<int, string> Theory(Func<CrdBadInputCase, bool>? include = null)
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < All.Count; i++)
        {
            if (include?.Invoke(All[i]) ?? true)
            {
                data.Add(i, All[i].Id);
            }
        }

        return data;
    }

    public static IEnumerable<CrdBadInputCase> For(Type kind)
    {
        var schema = CrdValidator.SchemaOf(kind);
        yield return new(kind, "left out (required)", "spec", Without(Baseline(kind), ["spec"]));
        foreach (var name in new[] { "Not_A_Name", "../../../tmp/x", new string('a', 64) })
        {
            var renamed = Baseline(kind);
            renamed["metadata"]!["name"] = name;
            yield return new(kind, $"= \"{Shorten(name)}\"", "metadata.name", renamed);
        }

        // Unknown fields are refused, not dropped (kubectl's strict field validation): at the top, in metadata, and in every object below.
        yield return new(kind, "not a field of the kind", "sepc", With(Baseline(kind), ["sepc"], new JsonObject()), UnknownField: true);
        yield return new(kind, "not a field of ObjectMeta", "metadata.lables", With(Baseline(kind), ["metadata", "lables"], new JsonObject { ["app"] = "shop" }), UnknownField: true);
        foreach (var @case in ForObject(kind, schema.Properties["spec"], ["spec"]))
        {
            yield return @case;
        }
    }

    private static IEnumerable<CrdBadInputCase> ForObject(Type kind, V1JSONSchemaProps schema, string[] path)
    {
        foreach (var required in schema.Required ?? [])
        {
            yield return new(kind, "left out (required)", Dotted([.. path, required]), Without(Baseline(kind), [.. path, required]));
        }

        if (schema.Properties is not null)
        {
            yield return new(kind, "not a field of the object", Dotted([.. path, "unknownField"]), With(Baseline(kind), [.. path, "unknownField"], JsonValue.Create(1)), UnknownField: true);
        }

        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            string[] field = [.. path, name];
            foreach (var (rule, value) in Violations(property))
            {
                yield return new(kind, rule, Dotted(field), With(Baseline(kind), field, value));
            }

            if (property.Type == "object" && property.Properties is not null)
            {
                foreach (var nested in ForObject(kind, property, field))
                {
                    yield return nested;
                }
            }
            else if (property is { Type: "object", AdditionalProperties: V1JSONSchemaProps values } && values.Type == "string")
            {
                yield return new(kind, "with a number as a value", Dotted(field), With(Baseline(kind), field, new JsonObject { ["key"] = 5 }));
            }
        }
    }

    /// <summary>Values that break one rule of a field each.</summary>
    private static IEnumerable<(string Rule, JsonNode Value)> Violations(V1JSONSchemaProps schema)
    {
        yield return ($"of the wrong type (not {schema.Type})", schema.Type switch
        {
            "string" => JsonValue.Create(12345),
            "object" => JsonValue.Create("not-an-object"),
            "array" => JsonValue.Create("not-an-array"),
            _ => JsonValue.Create("not-a-" + schema.Type),
        });

        if (schema.EnumProperty is { Count: > 0 } allowed)
        {
            yield return ($"not one of {string.Join("/", allowed)}", JsonValue.Create("NotAnAllowedValue"));
        }

        if (schema.Pattern is { } pattern)
        {
            var regex = new Regex(pattern);
            var bad = new[] { "Not A Valid Value!", "ftp://example.org/x", "-" }.First(v => !regex.IsMatch(v));
            yield return ($"not matching {pattern}", JsonValue.Create(bad));
        }

        if (schema.MaxLength is { } max && schema.EnumProperty is not { Count: > 0 })
        {
            yield return ($"longer than {max}", JsonValue.Create(new string('a', (int)max + 1)));
        }

        if (schema.MinLength is > 0)
        {
            yield return ($"shorter than {schema.MinLength}", JsonValue.Create(string.Empty));
        }

        if (schema.Minimum is { } minimum)
        {
            yield return ($"below {minimum}", Number(minimum - 1, schema.Type));
        }

        if (schema.Maximum is { } maximum)
        {
            yield return ($"above {maximum}", Number(maximum + 1, schema.Type));
        }

        if (schema.MaxItems is { } maxItems)
        {
            yield return ($"with more than {maxItems} items", new JsonArray(Enumerable.Range(0, (int)maxItems + 1).Select(i => (JsonNode)new JsonObject { ["name"] = $"p{i}" }).ToArray()));
        }
    }

    private static JsonNode Number(double value, string? type) =>
        JsonNode.Parse(type == "integer" ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture))!;

    /// <summary>The manifest with a field set, creating the objects above it.</summary>
    private static JsonObject With(JsonObject manifest, string[] path, JsonNode? value)
    {
        Parent(manifest, path)[path[^1]] = value;
        return manifest;
    }

    /// <summary>The manifest without a field (the objects above it are there, so only that field is missing).</summary>
    private static JsonObject Without(JsonObject manifest, string[] path)
    {
        Parent(manifest, path).Remove(path[^1]);
        return manifest;
    }

    private static JsonObject Parent(JsonObject manifest, string[] path)
    {
        var parent = manifest;
        foreach (var segment in path[..^1])
        {
            parent = parent[segment] as JsonObject ?? (JsonObject)(parent[segment] = new JsonObject());
        }

        return parent;
    }

    private static string Dotted(string[] path) => string.Join('.', path);

    private static string Shorten(string text) => text.Length > 20 ? text[..17] + "..." : text;
}
