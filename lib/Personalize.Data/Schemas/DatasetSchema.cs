using System.Text.Json;
using System.Text.Json.Nodes;

namespace Personalize.Data.Schemas;

/// <summary>
/// A validated Personalize dataset schema: its dataset type and columns in CSV order. Created by
/// <see cref="SchemaParser"/>; <see cref="ToJson"/> writes it back in Personalize's Avro form.
/// </summary>
public sealed class DatasetSchema
{
    public const string AvroNamespace = "com.amazonaws.personalize.schema";

    private readonly Dictionary<string, int> _index;

    internal DatasetSchema(string datasetType, IReadOnlyList<SchemaField> fields)
    {
        DatasetType = datasetType;
        Fields = fields;
        _index = fields.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }

    public string DatasetType { get; }

    public IReadOnlyList<SchemaField> Fields { get; }

    /// <summary>The column index of a field, or -1.</summary>
    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    public SchemaField? Find(string name) => _index.TryGetValue(name, out var i) ? Fields[i] : null;

    /// <summary>The column holding the record's id: USER_ID for Users, ITEM_ID for Items, null for Interactions.</summary>
    public string? IdField => DatasetType switch
    {
        DatasetTypes.Users => FieldNames.UserId,
        DatasetTypes.Items => FieldNames.ItemId,
        _ => null,
    };

    /// <summary>Builds and validates a schema in code (the generator and tests use it).</summary>
    public static DatasetSchema Create(string datasetType, params SchemaField[] fields) =>
        SchemaParser.Parse(ToJson(datasetType, fields), datasetType);

    public static DatasetSchema Parse(string json, string? datasetType = null) => SchemaParser.Parse(json, datasetType);

    public string ToJson() => ToJson(DatasetType, Fields);

    private static string ToJson(string datasetType, IReadOnlyList<SchemaField> fields)
    {
        var array = new JsonArray();
        foreach (var field in fields)
        {
            var node = new JsonObject
            {
                ["name"] = field.Name,
                ["type"] = field.Nullable ? new JsonArray("null", field.Type.ToAvro()) : JsonValue.Create(field.Type.ToAvro()),
            };
            if (field.Categorical)
            {
                node["categorical"] = true;
            }

            if (field.Textual)
            {
                node["textual"] = true;
            }

            array.Add(node);
        }

        var record = new JsonObject
        {
            ["type"] = "record",
            ["name"] = datasetType,
            ["namespace"] = AvroNamespace,
            ["fields"] = array,
            ["version"] = "1.0",
        };
        return record.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
