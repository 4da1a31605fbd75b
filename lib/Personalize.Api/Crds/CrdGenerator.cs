using System.Reflection;
using k8s;
using k8s.Models;

namespace Personalize.Api.Crds;

/// <summary>
/// Builds the CustomResourceDefinitions from the C# classes: the classes are the single source of truth, and a test
/// fails when the committed YAML drifts from them (kubebuilder's habit).
/// </summary>
public static class CrdGenerator
{
    public static V1CustomResourceDefinition Generate(Type kind)
    {
        var entity = ApiGroup.EntityOf(kind);
        var schemas = new SchemaBuilder();
        var specType = kind.GetProperty("Spec")!.PropertyType;
        var statusType = kind.GetProperty("Status")!.PropertyType;

        var root = new V1JSONSchemaProps
        {
            Type = "object",
            Description = kind.GetCustomAttribute<DescriptionAttribute>()?.Text,
            Required = ["spec"],
            Properties = new Dictionary<string, V1JSONSchemaProps>
            {
                ["apiVersion"] = new() { Type = "string" },
                ["kind"] = new() { Type = "string" },
                ["metadata"] = new()
                {
                    Type = "object",
                    Properties = new Dictionary<string, V1JSONSchemaProps>
                    {
                        // Personalize names are 1-63 characters; Kubernetes would allow 253.
                        ["name"] = new() { Type = "string", MaxLength = 63, Pattern = Validation.NamePattern },
                    },
                },
                ["spec"] = schemas.ForType(specType),
                ["status"] = schemas.ForType(statusType),
            },
        };

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta { Name = $"{entity.PluralName}.{entity.Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = entity.Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = entity.Kind,
                    ListKind = entity.Kind + "List",
                    Plural = entity.PluralName,
                    Singular = entity.Kind.ToLowerInvariant(),
                    ShortNames = kind.GetCustomAttribute<ShortNamesAttribute>()?.Names.ToList(),
                    Categories = [ApiGroup.Category],
                },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = entity.ApiVersion,
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = root },
                        Subresources = new V1CustomResourceSubresources { Status = new object() },
                        AdditionalPrinterColumns = kind.GetCustomAttributes<PrinterColumnAttribute>()
                            .Select(c => new V1CustomResourceColumnDefinition
                            {
                                Name = c.Name,
                                JsonPath = c.JsonPath,
                                Type = c.Type,
                                Description = c.Description,
                                Priority = c.Priority == 0 ? null : c.Priority,
                            })
                            .ToList(),
                    },
                ],
            },
        };
    }

    public static IEnumerable<V1CustomResourceDefinition> GenerateAll() => ApiGroup.Kinds.Select(Generate);

    /// <summary>One YAML document per kind, keyed by the file name it is committed under.</summary>
    public static IReadOnlyDictionary<string, string> RenderFiles() =>
        GenerateAll().ToDictionary(
            crd => $"{crd.Spec.Group}_{crd.Spec.Names.Plural}.yaml",
            crd => "# Generated from lib/Personalize.Api by `personalize crds`. Do not edit by hand.\n" + KubernetesYaml.Serialize(crd) + "\n");

    /// <summary>Writes every CRD into a folder, removing generated files of kinds that no longer exist.</summary>
    public static async Task WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var files = RenderFiles();
        foreach (var stale in Directory.GetFiles(directory, $"{ApiGroup.Group}_*.yaml").Where(f => !files.ContainsKey(Path.GetFileName(f))))
        {
            File.Delete(stale);
        }

        foreach (var (name, yaml) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), yaml, cancellationToken);
        }
    }
}
