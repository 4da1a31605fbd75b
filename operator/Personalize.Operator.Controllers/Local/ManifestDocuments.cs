using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Personalize.Operator.Controllers.Local;

/// <summary>
/// The documents of a YAML manifest file as JSON objects, with plain scalars typed the way kubectl reads them (YAML 1.2
/// core schema: null, booleans, integers, floats, else strings), so local mode validates what the API server would see
/// rather than what a typed deserializer would coerce.
/// </summary>
public static partial class ManifestDocuments
{
    /// <summary>Every non-empty document; a document that is not a mapping is an error naming its position.</summary>
    public static IReadOnlyList<JsonObject> Read(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode mapping:
                    documents.Add(ToJson(mapping)!.AsObject());
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    throw new InvalidDataException($"the document at line {document.RootNode.Start.Line} is not a mapping of fields");
            }
        }

        return documents;
    }

    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { } text } ? text : throw new InvalidDataException($"line {key.Start.Line}: a field name must be a plain string");
                    if (obj.ContainsKey(name))
                    {
                        throw new InvalidDataException($"line {key.Start.Line}: field \"{name}\" appears twice");
                    }

                    obj[name] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(ToJson).ToArray());
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new InvalidDataException($"line {node.Start.Line}: unsupported YAML node");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var quotedOrString = scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value is "tag:yaml.org,2002:str");
        return quotedOrString || !TryTyped(text, out var typed) ? JsonValue.Create(text) : typed;
    }

    // Typed values are parsed from JSON text, so that they read back exactly like values of a JSON request body.
    private static bool TryTyped(string text, out JsonNode? value)
    {
        value = null;
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return true;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            value = JsonNode.Parse(text.ToLowerInvariant());
            return true;
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            value = JsonNode.Parse(integer.ToString(CultureInfo.InvariantCulture));
            return true;
        }

        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            value = JsonNode.Parse(number.ToString("R", CultureInfo.InvariantCulture));
            return true;
        }

        return false;
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
