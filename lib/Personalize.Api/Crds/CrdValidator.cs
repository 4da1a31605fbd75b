using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Personalize.Api.Crds;

/// <summary>
/// Validates and defaults a resource against its kind's generated CRD schema the way the API server does (structural
/// defaulting, then required, types, enums, patterns, lengths, ranges), for local mode, which has no API server.
/// Errors name the field and read like the API server's (`spec.minProvisionedTPS: Invalid value: 0: ...`). A field
/// the schema does not declare is refused, as kubectl's strict field validation does, rather than dropped: a misspelt
/// setting would otherwise be trained with its default.
/// </summary>
public static class CrdValidator
{
    private static readonly ConcurrentDictionary<Type, V1JSONSchemaProps> Schemas = new();
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new();

    /// <summary>The fields of Kubernetes' ObjectMeta, which every resource's metadata may carry.</summary>
    private static readonly IReadOnlySet<string> ObjectMetaFields = typeof(V1ObjectMeta).GetProperties()
        .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The kind's schema as the generated CRD holds it.</summary>
    public static V1JSONSchemaProps SchemaOf(Type kind) =>
        Schemas.GetOrAdd(kind, k => CrdGenerator.Generate(k).Spec.Versions[0].Schema.OpenAPIV3Schema);

    /// <summary>A resource built in code, as JSON defaulted the way the API server would admit it, and every error naming its field.</summary>
    public static (JsonObject Document, IReadOnlyList<string> Errors) Admit(IKubernetesObject resource)
    {
        var document = JsonNode.Parse(KubernetesJson.Serialize(resource))!.AsObject();
        return (document, ValidateAndDefault(resource.GetType(), document));
    }

    /// <summary>Fills in defaults in <paramref name="resource"/> and returns every violation (empty when valid).</summary>
    public static IReadOnlyList<string> ValidateAndDefault(Type kind, JsonObject resource)
    {
        var schema = SchemaOf(kind);
        var errors = new List<string>();
        Default(resource, schema);
        if (resource["metadata"]?["name"] is null)
        {
            errors.Add("metadata.name: Required value: name is required");
        }

        // The API server checks every object's namespace name as a DNS-1123 label.
        if (resource["metadata"]?["namespace"] is JsonValue ns && (ns.TryGetValue<string>(out var nsName) is false || !IsDnsLabel(nsName)))
        {
            errors.Add($"metadata.namespace: Invalid value: {Show(ns)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (at most 63)");
        }

        foreach (var (name, property) in schema.Properties)
        {
            var value = resource[name];
            if (value is null)
            {
                if (schema.Required?.Contains(name) == true)
                {
                    errors.Add($"{name}: Required value");
                }

                continue;
            }

            // metadata is checked for what the CRD says of it (the name) and for ObjectMeta's field names; the rest is Kubernetes' own.
            if (name == "metadata")
            {
                if (value is JsonObject metadata)
                {
                    RefuseUnknown(metadata, ObjectMetaFields, "metadata.", errors);
                    if (metadata["name"] is { } nameValue)
                    {
                        Validate(nameValue, property.Properties["name"], "metadata.name", errors);
                    }
                }

                continue;
            }

            Validate(value, property, name, errors);
        }

        RefuseUnknown(resource, schema.Properties.Keys, string.Empty, errors);
        return errors;
    }

    public static bool IsDnsLabel(string value) =>
        value.Length is > 0 and <= 63 && Regex.IsMatch(value, Validation.NamePattern, RegexOptions.None, TimeSpan.FromSeconds(1));

    private static void Default(JsonNode? node, V1JSONSchemaProps schema)
    {
        switch (node)
        {
            case JsonObject obj when schema.Properties is { } properties:
                foreach (var (name, property) in properties)
                {
                    if (obj[name] is null && property.DefaultProperty is { } value)
                    {
                        // Parsed, not wrapped: a default must read back like a value that came from the manifest.
                        obj[name] = JsonNode.Parse(JsonSerializer.Serialize(value));
                    }

                    Default(obj[name], property);
                }

                break;
            case JsonObject obj when schema.AdditionalProperties is V1JSONSchemaProps values:
                foreach (var (_, child) in obj)
                {
                    Default(child, values);
                }

                break;
            case JsonArray array when schema.Items is V1JSONSchemaProps items:
                foreach (var item in array)
                {
                    Default(item, items);
                }

                break;
        }
    }

    private static void Validate(JsonNode? node, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (node is null)
        {
            // An explicit null: the API server drops nulls of fields that are not nullable, as if omitted.
            return;
        }

        if (!HasType(node, schema.Type))
        {
            errors.Add($"{path}: Invalid value: \"{KindOf(node)}\": {path} in body must be of type {schema.Type}: \"{KindOf(node)}\"");
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                if (schema.Properties is { } properties)
                {
                    foreach (var required in schema.Required ?? [])
                    {
                        if (obj[required] is null)
                        {
                            errors.Add($"{path}.{required}: Required value");
                        }
                    }

                    foreach (var (name, property) in properties)
                    {
                        Validate(obj[name], property, $"{path}.{name}", errors);
                    }

                    if (schema.XKubernetesPreserveUnknownFields is not true)
                    {
                        RefuseUnknown(obj, properties.Keys, path + ".", errors);
                    }
                }
                else if (schema.AdditionalProperties is V1JSONSchemaProps values)
                {
                    foreach (var (key, child) in obj)
                    {
                        Validate(child, values, $"{path}.{key}", errors);
                    }
                }

                break;
            case JsonArray array:
                if (schema.MaxItems is { } maxItems && array.Count > maxItems)
                {
                    errors.Add($"{path}: Too many: {array.Count}: must have at most {maxItems} items");
                }

                if (schema.MinItems is { } minItems && array.Count < minItems)
                {
                    errors.Add($"{path}: Invalid value: {array.Count}: {path} in body should have at least {minItems} items");
                }

                if (schema.Items is V1JSONSchemaProps items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Validate(array[i], items, $"{path}[{i}]", errors);
                    }
                }

                break;
            case JsonValue value:
                ValidateScalar(value, schema, path, errors);
                break;
        }
    }

    /// <summary>
    /// An error for each field of <paramref name="obj"/> that is not one of <paramref name="known"/>, suggesting the
    /// known field that differs only in case (the usual misspelling: minProvisionedTps for minProvisionedTPS).
    /// </summary>
    private static void RefuseUnknown(JsonObject obj, IEnumerable<string> known, string prefix, List<string> errors)
    {
        foreach (var (name, _) in obj)
        {
            if (known.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            var suggestion = known.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            errors.Add($"{prefix}{name}: unknown field{(suggestion is null ? string.Empty : $" (did you mean {suggestion}?)")}");
        }
    }

    private static void ValidateScalar(JsonValue value, V1JSONSchemaProps schema, string path, List<string> errors)
    {
        if (schema.EnumProperty is { Count: > 0 } allowed && !allowed.Any(a => string.Equals(Convert.ToString(a, CultureInfo.InvariantCulture), Text(value), StringComparison.Ordinal)))
        {
            errors.Add($"{path}: Unsupported value: {Show(value)}: supported values: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");
            return;
        }

        if (value.TryGetValue<string>(out var text))
        {
            if (schema.MaxLength is { } max && text.Length > max)
            {
                errors.Add($"{path}: Too long: may not be longer than {max}");
            }

            if (schema.MinLength is { } min && text.Length < min)
            {
                errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body should be at least {min} chars long");
            }

            if (schema.Pattern is { } pattern && !Patterns.GetOrAdd(pattern, p => new Regex(p, RegexOptions.None, TimeSpan.FromSeconds(1))).IsMatch(text))
            {
                errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body should match '{pattern}'");
            }

            return;
        }

        if (!IsNumber(value))
        {
            return;
        }

        var number = value.GetValue<double>();
        if (schema.Minimum is { } minimum && number < minimum)
        {
            errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body should be greater than or equal to {minimum.ToString(CultureInfo.InvariantCulture)}");
        }

        if (schema.Maximum is { } maximum && number > maximum)
        {
            errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body should be less than or equal to {maximum.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static bool HasType(JsonNode node, string? type) => type switch
    {
        null => true,
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => node is JsonValue v && v.TryGetValue<string>(out _),
        "boolean" => node is JsonValue v && v.TryGetValue<bool>(out _),
        "integer" => node is JsonValue v && IsNumber(v) && v.GetValue<double>() is var d && Math.Floor(d) == d && !double.IsInfinity(d),
        "number" => node is JsonValue v && IsNumber(v),
        _ => true,
    };

    private static bool IsNumber(JsonValue value) => !value.TryGetValue<string>(out _) && !value.TryGetValue<bool>(out _) && value.TryGetValue<double>(out _);

    private static string KindOf(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue<string>(out _) => "string",
        JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
        JsonValue v when v.TryGetValue<double>(out var d) && Math.Floor(d) == d => "integer",
        _ => "number",
    };

    private static string Text(JsonValue value) =>
        value.TryGetValue<string>(out var text) ? text : value.ToJsonString();

    private static string Show(JsonValue value) =>
        value.TryGetValue<string>(out var text) ? $"\"{text}\"" : value.ToJsonString();
}
