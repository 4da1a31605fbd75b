namespace Personalize.Data.Schemas;

/// <summary>The dataset types a dataset group holds, spelled as Personalize spells them (the Avro record name too).</summary>
public static class DatasetTypes
{
    public const string Interactions = "Interactions";
    public const string Users = "Users";
    public const string Items = "Items";

    public static IReadOnlyList<string> All { get; } = [Interactions, Users, Items];

    /// <summary>The canonical spelling of a dataset type given in any case, or null when it is not one we support.</summary>
    public static string? Canonical(string? datasetType) =>
        All.FirstOrDefault(t => string.Equals(t, datasetType, StringComparison.OrdinalIgnoreCase));
}
