using System.Globalization;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;

namespace Personalize.Models.Filters;

/// <summary>
/// Dataset records in the text form filters compare against. The runtime and batch inference both load a dataset
/// group through these, so a filter matches the same items online and in batch.
/// </summary>
public static class FilterRecords
{
    public static IReadOnlyDictionary<string, string?> Text(IReadOnlyDictionary<string, object?> fields) =>
        fields.ToDictionary(f => f.Key, f => FieldValues.AsString(f.Value));

    public static ItemUpdate Item(ItemRecord item)
    {
        var fields = Text(item.Fields).ToDictionary();
        if (item.CreationTimestamp is { } created)
        {
            fields[FieldNames.CreationTimestamp] = created.ToString(CultureInfo.InvariantCulture);
        }

        return new ItemUpdate(item.ItemId, fields);
    }

    public static FilterInteraction Interaction(Interaction interaction) =>
        new(interaction.ItemId, interaction.EventType ?? string.Empty, interaction.EventValue, interaction.Timestamp);
}
