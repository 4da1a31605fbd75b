using Personalize.Data.Schemas;

namespace Personalize.Models.Filters;

/// <summary>
/// Which dataset fields a filter may name. A field the evaluator has no values for makes IN match nothing, so an
/// EXCLUDE on it never removes anything and an INCLUDE removes everything: such a filter is refused instead, naming
/// the field and listing what may be used. Interaction filters read only the columns <see cref="FilterInteraction"/>
/// keeps (not contextual metadata such as DEVICE, which Personalize does not filter on either); Items and Users fields
/// must be columns of the dataset's schema, and neither boolean nor textual, as Personalize requires.
/// </summary>
public static class FilterFieldRules
{
    /// <summary>The Interactions columns the evaluator reads, in the order a message lists them.</summary>
    public static IReadOnlyList<string> InteractionColumns { get; } =
        [FieldNames.EventType, FieldNames.ItemId, FieldNames.EventValue, FieldNames.Timestamp];

    /// <summary>The dataset type a field is read from: CurrentItem is an Items record and CurrentUser a Users record.</summary>
    public static string DatasetTypeOf(FilterSource source) => source switch
    {
        FilterSource.Items or FilterSource.CurrentItem => DatasetTypes.Items,
        FilterSource.Users or FilterSource.CurrentUser => DatasetTypes.Users,
        _ => DatasetTypes.Interactions,
    };

    /// <summary>The dataset types whose schemas the expression's fields are checked against, in order of first use.</summary>
    public static IReadOnlyList<string> DatasetTypesOf(FilterExpression expression) =>
        expression.Fields.Select(f => DatasetTypeOf(f.Source)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The first field the filter cannot use, as "filterExpression: at position N: ..." naming it and listing the
    /// fields that may be used; null when every field checks out. <paramref name="schemas"/> holds the group's known
    /// schemas by dataset type: fields of a dataset type without one are checked only as far as no schema is needed.
    /// </summary>
    public static string? Problem(FilterExpression expression, IReadOnlyDictionary<string, DatasetSchema> schemas)
    {
        foreach (var field in expression.Fields)
        {
            var datasetType = DatasetTypeOf(field.Source);
            var schema = schemas.GetValueOrDefault(datasetType);
            if (FieldProblem(field, datasetType, schema) is { } problem)
            {
                // Without a schema only an interaction column can be refused, and the evaluator's columns are the list.
                var usable = schema is null ? InteractionColumns : Usable(schema);
                var list = usable.Count == 0 ? "none" : string.Join(", ", usable);
                return $"filterExpression: at position {field.Position + 1}: {problem}; {datasetType} fields a filter can use: {list}.";
            }
        }

        return null;
    }

    /// <summary>The schema's columns a filter can use: interaction columns in the evaluator's order, others in schema order.</summary>
    public static IReadOnlyList<string> Usable(DatasetSchema schema) =>
        schema.DatasetType == DatasetTypes.Interactions
            ? InteractionColumns.Where(c => Column(schema, c) is not null).ToList()
            : schema.Fields.Where(f => Unusable(f, schema.DatasetType) is null).Select(f => f.Name).ToList();

    private static string? FieldProblem(FilterField field, string datasetType, DatasetSchema? schema)
    {
        if (datasetType == DatasetTypes.Interactions && !InteractionColumns.Contains(field.Name, StringComparer.OrdinalIgnoreCase))
        {
            return $"{field} cannot be filtered on: interaction filters read only {string.Join(", ", InteractionColumns)}, not other interaction columns";
        }

        if (schema is null)
        {
            return null;
        }

        var column = Column(schema, field.Name);
        if (column is null)
        {
            return $"{field} is not a column of the {datasetType} dataset's schema";
        }

        return datasetType != DatasetTypes.Interactions && Unusable(column, datasetType) is { } why ? $"{field} {why}" : null;
    }

    /// <summary>Filter fields are upper-cased as they are parsed; schema columns may be spelt in any case.</summary>
    private static SchemaField? Column(DatasetSchema schema, string name) =>
        schema.Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Why an Items or Users column cannot be filtered on, or null when it can.</summary>
    private static string? Unusable(SchemaField column, string datasetType)
    {
        if (column.Type == FieldType.Boolean)
        {
            return "is a boolean field, and filters cannot use boolean fields (store \"True\"/\"False\" as a string, or 0/1 as an int)";
        }

        if (column.Textual)
        {
            return "is a textual field, and filters cannot use unstructured text";
        }

        // The evaluator keeps a record's metadata apart from its id, so an id column has no values to compare.
        return string.Equals(column.Name, datasetType == DatasetTypes.Items ? FieldNames.ItemId : FieldNames.UserId, StringComparison.OrdinalIgnoreCase)
            ? "is the record's id, not metadata a filter can compare"
            : null;
    }
}
