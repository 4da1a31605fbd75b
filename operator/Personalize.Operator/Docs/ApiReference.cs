using System.Globalization;
using System.Text;
using k8s.Models;
using Personalize.Api;
using Personalize.Api.Crds;
using Personalize.Gateway.ControlPlane;

namespace Personalize.Operator.Docs;

/// <summary>
/// Renders docs/api-reference.md from the generated CRDs, so the user's reference says exactly what the API server
/// enforces (types, required fields, enums, patterns, limits, defaults) and cannot drift from the C# classes; and from
/// the gateway's list of the Personalize request members it refuses or ignores.
/// </summary>
public static class ApiReference
{
    public static string Render()
    {
        var text = new StringBuilder();
        text.Append("# API reference\n\n");
        text.Append("<!-- Generated from lib/Personalize.Api and gateway/Personalize.Gateway/ControlPlane/UnsupportedMembers.cs by `personalize docs`. Do not edit by hand. -->\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Every kind is in the API group `{ApiGroup.ApiVersion}`, namespaced, and in the category `{ApiGroup.Category}` ");
        text.Append("(`kubectl get personalize` lists them all). References between resources are by name within one namespace. ");
        text.Append("Every status has `phase` (Amazon Personalize's status words), `conditions` (`Ready`; jobs also `Succeeded`), ");
        text.Append("`observedGeneration`, `arn` and `failureReason`.\n\n");

        var crds = CrdGenerator.GenerateAll().ToList();
        text.Append("| Kind | Short names | What it is |\n|---|---|---|\n");
        foreach (var crd in crds)
        {
            var names = crd.Spec.Names;
            text.Append(CultureInfo.InvariantCulture,
                $"| [{names.Kind}](#{names.Kind.ToLowerInvariant()}) | {string.Join(", ", (names.ShortNames ?? []).Select(n => $"`{n}`"))} | {Cell(RootSchema(crd).Description)} |\n");
        }

        foreach (var crd in crds)
        {
            AppendKind(text, crd);
        }

        return text.ToString();
    }

    /// <summary>The `personalize docs` verb: writes the API reference and the recipes page into a folder.</summary>
    public static async Task<int> WriteAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in Pages())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), content);
            Console.WriteLine($"{Path.Combine(directory, name)} written");
        }

        return 0;
    }

    /// <summary>Every generated page, by its file name under docs/.</summary>
    public static IReadOnlyDictionary<string, string> Pages() => new Dictionary<string, string>
    {
        ["api-reference.md"] = Render(),
        ["recipes.md"] = RecipeReference.Render(),
    };

    private static V1JSONSchemaProps RootSchema(V1CustomResourceDefinition crd) => crd.Spec.Versions[0].Schema.OpenAPIV3Schema;

    private static void AppendKind(StringBuilder text, V1CustomResourceDefinition crd)
    {
        var version = crd.Spec.Versions[0];
        var root = RootSchema(crd);
        text.Append(CultureInfo.InvariantCulture, $"\n## {crd.Spec.Names.Kind}\n\n{Escape(root.Description)}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"`kubectl get {crd.Spec.Names.Plural}` shows: ");
        text.Append(string.Join(", ", version.AdditionalPrinterColumns.Select(c => $"{c.Name} (`{c.JsonPath}`{(c.Priority is > 0 ? ", -o wide" : string.Empty)})")));
        text.Append(".\n");
        AppendUnsupportedMembers(text, crd.Spec.Names.Kind);
        AppendSection(text, "spec", root.Properties["spec"]);
        AppendSection(text, "status", root.Properties["status"]);
    }

    /// <summary>The request members of the kind's Create/Update operations that the Personalize API refuses or ignores, and why.</summary>
    private static void AppendUnsupportedMembers(StringBuilder text, string kind)
    {
        bool OfKind(UnsupportedMember member) => member.Operation == "Create" + kind || member.Operation == "Update" + kind;
        var refused = UnsupportedMembers.Refused.Where(OfKind).ToList();
        var ignored = UnsupportedMembers.IgnoredByDesign.Where(OfKind).ToList();
        if (refused.Count + ignored.Count == 0)
        {
            return;
        }

        text.Append("\nThrough the Personalize API, these request members are not acted on. A refused one set to anything but an empty, null or false ");
        text.Append("value is InvalidInputException naming it, and nothing is created or changed.\n\n| Operation | Member | What happens |\n|---|---|---|\n");
        foreach (var member in refused)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {member.Operation} | `{member.Path}` | Refused: {Cell(member.Reason)}. |\n");
        }

        foreach (var member in ignored)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {member.Operation} | `{member.Path}` | Accepted and not used: {Cell(member.Reason)}. |\n");
        }
    }

    private static void AppendSection(StringBuilder text, string name, V1JSONSchemaProps schema)
    {
        text.Append(CultureInfo.InvariantCulture, $"\n### {name}\n\n| Field | Type | Required | Description |\n|---|---|---|---|\n");
        AppendFields(text, prefix: string.Empty, schema);
    }

    private static void AppendFields(StringBuilder text, string prefix, V1JSONSchemaProps schema)
    {
        foreach (var (field, property) in schema.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            var path = prefix + field;
            var required = schema.Required?.Contains(field) == true ? "yes" : string.Empty;
            text.Append(CultureInfo.InvariantCulture, $"| `{path}` | {TypeOf(property)} | {required} | {Cell(Describe(property))} |\n");
            if (property.Type == "object" && property.Properties is not null)
            {
                AppendFields(text, path + ".", property);
            }
            else if (property.Type == "array" && property.Items is V1JSONSchemaProps { Properties: not null } items)
            {
                AppendFields(text, path + "[].", items);
            }
        }
    }

    private static string TypeOf(V1JSONSchemaProps schema) => schema.Type switch
    {
        "array" when schema.Items is V1JSONSchemaProps items => $"array of {TypeOf(items)}",
        "object" when schema.AdditionalProperties is V1JSONSchemaProps values => $"map of string to {TypeOf(values)}",
        "integer" or "number" when schema.Format is not null => $"{schema.Type} ({schema.Format})",
        "string" when schema.Format is not null => $"string ({schema.Format})",
        _ => schema.Type ?? "any",
    };

    private static string Describe(V1JSONSchemaProps schema)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(schema.Description))
        {
            parts.Add(schema.Description);
        }

        if (schema.EnumProperty is { Count: > 0 } values)
        {
            parts.Add("One of: " + string.Join(", ", values.Select(v => $"`{v}`")) + ".");
        }

        if (schema.Minimum is { } min && schema.Maximum is { } max)
        {
            parts.Add($"Range {Number(min)} to {Number(max)}.");
        }

        if (schema.MinLength is { } minLength)
        {
            parts.Add($"At least {minLength} characters.");
        }

        if (schema.MaxLength is { } maxLength)
        {
            parts.Add($"At most {maxLength} characters.");
        }

        if (schema.MaxItems is { } maxItems)
        {
            parts.Add($"At most {maxItems} entries.");
        }

        if (schema.Pattern is { } pattern)
        {
            parts.Add($"Pattern `{pattern}`.");
        }

        if (schema.DefaultProperty is { } @default)
        {
            parts.Add($"Default `{Convert.ToString(@default, CultureInfo.InvariantCulture)}`.");
        }

        return string.Join(" ", parts);
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    // A Markdown table cell: one line, pipes escaped.
    private static string Cell(string? value) =>
        Escape(value).Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    // Descriptions say <input> or <namespace>, which Markdown would take for HTML tags.
    private static string Escape(string? value) =>
        (value ?? string.Empty).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
