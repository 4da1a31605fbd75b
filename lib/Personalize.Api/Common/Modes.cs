namespace Personalize.Api;

/// <summary>A SolutionVersion's trainingMode, spelled as Personalize spells it.</summary>
public static class TrainingModes
{
    /// <summary>Trains on all data (the default).</summary>
    public const string Full = "FULL";

    /// <summary>Brings new items and events into the latest ACTIVE FULL version.</summary>
    public const string Update = "UPDATE";
}

/// <summary>A DatasetImportJob's importMode, spelled as Personalize spells it.</summary>
public static class ImportModes
{
    /// <summary>Replaces the dataset's bulk data (the default).</summary>
    public const string Full = "FULL";

    /// <summary>Appends, replacing records with the same id.</summary>
    public const string Incremental = "INCREMENTAL";
}
