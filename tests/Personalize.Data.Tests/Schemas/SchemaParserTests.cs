using Personalize.Data.Schemas;
using Xunit;

namespace Personalize.Data.Tests.Schemas;

public sealed class SchemaParserTests
{
    private const string Interactions = """
        {"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","version":"1.0","fields":[
          {"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},
          {"name":"EVENT_TYPE","type":"string"},{"name":"EVENT_VALUE","type":["null","float"]},
          {"name":"IMPRESSION","type":["null","string"]},{"name":"RECOMMENDATION_ID","type":["null","string"]},
          {"name":"DEVICE","type":["null","string"],"categorical":true}]}
        """;

    [Fact]
    public void Parse_ValidInteractions_ReadsFieldsInOrder()
    {
        var schema = SchemaParser.Parse(Interactions);

        Assert.Equal(DatasetTypes.Interactions, schema.DatasetType);
        Assert.Equal(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "IMPRESSION", "RECOMMENDATION_ID", "DEVICE"], schema.Fields.Select(f => f.Name));
        Assert.Equal(new SchemaField("EVENT_VALUE", FieldType.Float, Nullable: true), schema.Find("EVENT_VALUE"));
        Assert.True(schema.Find("DEVICE")!.Categorical);
    }

    [Fact]
    public void Parse_ValidUsersAndItems_Succeed()
    {
        var users = SchemaParser.Parse(Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":"int"}"""), "users");
        var items = SchemaParser.Parse(Record("Items", """
            {"name":"ITEM_ID","type":"string"},{"name":"GENRES","type":["null","string"],"categorical":true},
            {"name":"DESCRIPTION","type":["null","string"],"textual":true},{"name":"CREATION_TIMESTAMP","type":"long"}
            """));

        Assert.Equal(DatasetTypes.Users, users.DatasetType);
        Assert.Equal(FieldNames.ItemId, items.IdField);
        Assert.True(items.Find("DESCRIPTION")!.Textual);
    }

    [Fact]
    public void ToJson_RoundTrips()
    {
        var schema = SchemaParser.Parse(Interactions);

        var again = SchemaParser.Parse(schema.ToJson(), DatasetTypes.Interactions);

        Assert.Equal(schema.Fields, again.Fields);
    }

    public static TheoryData<string, string?, string, string> Invalid => new()
    {
        { "not json", null, "$", SchemaRules.Json },
        { """{"type":"enum","name":"Users","fields":[{"name":"USER_ID","type":"string"},{"name":"AGE","type":"int"}]}""", null, "$", SchemaRules.RecordType },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":"int"}"""), "Items", "$", SchemaRules.RecordName },
        { Record("Movies", """{"name":"USER_ID","type":"string"}"""), null, "$", SchemaRules.RecordName },
        { """{"type":"record","name":"Users","fields":[]}""", null, "$", SchemaRules.Fields },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE-YEARS","type":"int"}"""), null, "AGE-YEARS", SchemaRules.FieldName },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":"int"},{"name":"age","type":"int"}"""), null, "age", SchemaRules.DuplicateField },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"ADDRESS","type":{"type":"record","name":"A","fields":[]}}"""), null, "ADDRESS", SchemaRules.Flat },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"TAGS","type":"array"}"""), null, "TAGS", SchemaRules.Flat },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":"decimal"}"""), null, "AGE", SchemaRules.FieldType },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":["null","int","long"]}"""), null, "AGE", SchemaRules.NullableUnion },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":"null"}"""), null, "AGE", SchemaRules.NullableUnion },
        { Record("Interactions", """{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"}"""), null, "TIMESTAMP", SchemaRules.RequiredField },
        { Record("Interactions", """{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"int"}"""), null, "TIMESTAMP", SchemaRules.RequiredType },
        { Record("Interactions", """{"name":"USER_ID","type":["null","string"]},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"}"""), null, "USER_ID", SchemaRules.RequiredType },
        { Record("Users", """{"name":"AGE","type":"int"}"""), null, "USER_ID", SchemaRules.RequiredField },
        { Record("Items", """{"name":"GENRE","type":"string","categorical":true}"""), null, "ITEM_ID", SchemaRules.RequiredField },
        { InteractionsWith("""{"name":"EVENT_VALUE","type":"string"}"""), null, "EVENT_VALUE", SchemaRules.ReservedType },
        { InteractionsWith("""{"name":"EVENT_TYPE","type":"int"}"""), null, "EVENT_TYPE", SchemaRules.ReservedType },
        { InteractionsWith("""{"name":"IMPRESSION","type":"long"}"""), null, "IMPRESSION", SchemaRules.ReservedType },
        { Record("Items", """{"name":"ITEM_ID","type":"string"},{"name":"PRICE","type":"float"},{"name":"CREATION_TIMESTAMP","type":"string"}"""), null, "CREATION_TIMESTAMP", SchemaRules.ReservedType },
        { InteractionsWith("""{"name":"event_type","type":"string"}"""), null, "event_type", SchemaRules.ReservedName },
        { InteractionsWith("""{"name":"EVENT_TYPE","type":"string","categorical":true}"""), null, "EVENT_TYPE", SchemaRules.Categorical },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"AGE","type":"int","categorical":true}"""), null, "AGE", SchemaRules.Categorical },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"BIO","type":"string","textual":true}"""), null, "BIO", SchemaRules.Textual },
        { Record("Items", """{"name":"ITEM_ID","type":"string"},{"name":"A","type":"string","textual":true},{"name":"B","type":"string","textual":true}"""), null, "B", SchemaRules.Textual },
        { Record("Items", """{"name":"ITEM_ID","type":"string"},{"name":"A","type":"string","textual":true,"categorical":true}"""), null, "A", SchemaRules.Categorical },
        { Record("Users", """{"name":"USER_ID","type":"string"}"""), null, "$", SchemaRules.MetadataRequired },
        { Record("Users", """{"name":"USER_ID","type":"string"},{"name":"NOTE","type":"string"}"""), null, "$", SchemaRules.MetadataRequired },
        { Record("Items", """{"name":"ITEM_ID","type":"string"},{"name":"CREATION_TIMESTAMP","type":"long"}"""), null, "$", SchemaRules.MetadataRequired },
        { InteractionsWith(string.Join(",", Enumerable.Range(1, 6).Select(i => $$"""{"name":"CTX{{i}}","type":"string","categorical":true}"""))), null, "$", SchemaRules.MetadataLimit },
        { Record("Users", """{"name":"USER_ID","type":"string"},""" + string.Join(",", Enumerable.Range(1, 26).Select(i => $$"""{"name":"F{{i}}","type":"int"}"""))), null, "$", SchemaRules.MetadataLimit },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BrokenRule_NamesFieldAndRule(string json, string? datasetType, string field, string rule)
    {
        var result = SchemaParser.Validate(json, datasetType);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Field == field && e.Rule == rule);
        var error = Assert.Throws<SchemaValidationException>(() => SchemaParser.Parse(json, datasetType));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralBrokenRules_ReportsAll()
    {
        var result = SchemaParser.Validate(Record("Interactions", """{"name":"USER_ID","type":"int"},{"name":"X","type":"map"}"""));

        Assert.Contains(result.Errors, e => e.Field == "USER_ID" && e.Rule == SchemaRules.RequiredType);
        Assert.Contains(result.Errors, e => e.Field == "X" && e.Rule == SchemaRules.Flat);
        Assert.Contains(result.Errors, e => e.Field == "ITEM_ID" && e.Rule == SchemaRules.RequiredField);
    }

    private static string Record(string name, string fields) => $$"""{"type":"record","name":"{{name}}","fields":[{{fields}}]}""";

    private static string InteractionsWith(string fields) =>
        Record("Interactions", """{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},""" + fields);
}
