using Personalize.Data.Schemas;

namespace Personalize.Models.Filters;

/// <summary>
/// Which dataset fields a filter may name. A field the evaluator has no values for makes IN match nothing, so an
/// EXCLUDE on it never removes anything and an INCLUDE removes everything: such a filter is refused instead, naming
/// the field and listing what may be used. Interaction filters read only the columns <see cref="FilterInteraction"/>
/// keeps, which every interaction has whatever the schema (PutEvents supplies them too); contextual metadata such as
/// DEVICE is not kept, and Personalize does not filter on it either. Items and Users fields must be columns of the
/// dataset's schema, and neither boolean nor textual, as Personalize requires.
/// </summary>
public static class FilterFieldRules
{
    /// <summary>The Interactions columns the evaluator reads, in the order a message lists them.</summary>
    public static IReadOnlyList<string> InteractionColumns { get; } =
        [FieldNames.EventType, FieldNames.ItemId, FieldNames.EventValue, FieldNames.Timestamp];

    /// <summary>
    /// The dataset types (Items, Users) whose schemas the expression's fields are checked against, in order of first
    /// use: CurrentItem fields are Items columns and CurrentUser fields Users columns.
    /// </summary>
    public static IReadOnlyList<string> SchemaDatasetTypesOf(FilterExpression expression) =>
        expression.Fields.Select(f => SchemaDatasetTypeOf(f.Source)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The first field the filter cannot use, as "filterExpression: at position N: ..." naming it and listing the
    /// fields that may be used; null when every field checks out. <paramref name="schemas"/> holds the group's known
    /// schemas by dataset type; fields of an Items or Users dataset without one are not checked here.
    /// </summary>
    public static string? Problem(FilterExpression expression, IReadOnlyDictionary<string, DatasetSchema> schemas)
    {
        foreach (var field in expression.Fields)
        {
            if (SchemaDatasetTypeOf(field.Source) is not { } datasetType)
            {
                if (!InteractionColumns.Contains(field.Name, StringComparer.Ordinal))
                {
                    return Message(field, "is not a column interaction filters read (contextual metadata is not filtered on)", DatasetTypes.Interactions, InteractionColumns);
                }

                continue;
            }

            if (schemas.GetValueOrDefault(datasetType) is not { } schema)
            {
                continue;
            }

            var column = schema.Fields.FirstOrDefault(f => string.Equals(f.Name, field.Name, StringComparison.OrdinalIgnoreCase));
            var problem = column is null ? $"is not a column of the {datasetType} dataset's schema" : Unusable(column, datasetType);
            if (problem is not null)
            {
                var usable = schema.Fields.Where(f => Unusable(f, datasetType) is null).Select(f => f.Name).ToList();
                return Message(field, problem, datasetType, usable);
            }
        }

        return null;
    }

    /// <summary>The schema a field is checked against: Items for Items and CurrentItem, Users for Users and CurrentUser.</summary>
    private static string? SchemaDatasetTypeOf(FilterSource source) => source switch
    {
        FilterSource.Items or FilterSource.CurrentItem => DatasetTypes.Items,
        FilterSource.Users or FilterSource.CurrentUser => DatasetTypes.Users,
        _ => null,
    };

    private static string Message(FilterField field, string problem, string datasetType, IReadOnlyList<string> usable) =>
        $"filterExpression: at position {field.Position + 1}: {field} {problem}; {datasetType} fields a filter can use: {(usable.Count == 0 ? "none" : string.Join(", ", usable))}.";

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
