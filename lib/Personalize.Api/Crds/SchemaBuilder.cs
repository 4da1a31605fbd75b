using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Personalize.Api.Crds;

/// <summary>Maps C# types and their DataAnnotations to OpenAPI v3 schemas the API server enforces.</summary>
internal sealed class SchemaBuilder
{
    public V1JSONSchemaProps ForType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new V1JSONSchemaProps { Type = "string" };
        }

        if (type == typeof(bool))
        {
            return new V1JSONSchemaProps { Type = "boolean" };
        }

        if (type == typeof(int))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        }

        if (type == typeof(double))
        {
            return new V1JSONSchemaProps { Type = "number", Format = "double" };
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return new V1JSONSchemaProps { Type = "object", AdditionalProperties = ForType(valueType) };
        }

        if (ListItemType(type) is { } itemType)
        {
            return new V1JSONSchemaProps { Type = "array", Items = ForType(itemType) };
        }

        if (type.IsClass)
        {
            return ForObject(type);
        }

        throw new NotSupportedException($"No OpenAPI mapping for {type.FullName}.");
    }

    private V1JSONSchemaProps ForObject(Type type)
    {
        var properties = new Dictionary<string, V1JSONSchemaProps>();
        var required = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                       ?? throw new InvalidOperationException($"{type.Name}.{property.Name} needs [JsonPropertyName] so its wire name is explicit.");
            var schema = ForType(property.PropertyType);
            Annotate(schema, property);
            properties[name] = schema;
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        return new V1JSONSchemaProps
        {
            Type = "object",
            Description = type.GetCustomAttribute<DescriptionAttribute>()?.Text,
            Properties = properties,
            Required = required.Count == 0 ? null : required,
        };
    }

    private static void Annotate(V1JSONSchemaProps schema, PropertyInfo property)
    {
        schema.Description = property.GetCustomAttribute<DescriptionAttribute>()?.Text;
        if (property.GetCustomAttribute<ImmutableAttribute>() is not null)
        {
            schema.Description = (schema.Description is null ? string.Empty : schema.Description + " ") + "Immutable after creation.";
        }

        var isArray = schema.Type == "array";
        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } max)
        {
            if (isArray) { schema.MaxItems = max.Length; } else { schema.MaxLength = max.Length; }
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } min)
        {
            if (isArray) { schema.MinItems = min.Length; } else { schema.MinLength = min.Length; }
        }

        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
        {
            schema.Pattern = pattern.Pattern;
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            schema.EnumProperty = allowed.Values.Cast<object>().ToList();
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema.Minimum = Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
            schema.Maximum = Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (property.GetCustomAttribute<DefaultValueAttribute>() is { } @default)
        {
            schema.DefaultProperty = @default.Value;
        }
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type) =>
        type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType
            ? type.GetGenericArguments()[0]
            : null;
}
