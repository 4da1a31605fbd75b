using Personalize.Data.Schemas;
using Personalize.Data.Storage;

namespace Personalize.Data.Import;

public enum ImportMode
{
    /// <summary>Replaces the dataset's bulk data (real-time records are kept).</summary>
    Full,

    /// <summary>Adds to the bulk data, replacing records with the same id (Interactions: same user, item, timestamp, event type).</summary>
    Incremental,
}

/// <summary>One import: which CSV data, under which schema, into which dataset group, how.</summary>
public sealed record DatasetImportRequest(
    string JobName,
    DatasetSchema Schema,
    S3Uri DataLocation,
    S3Uri DatasetGroup,
    ImportMode Mode = ImportMode.Full,
    double MaxRejectedRowsRatio = 0.1)
{
    /// <summary>Rows per Parquet row group: the unit held in memory while importing.</summary>
    public int RowGroupSize { get; init; } = 65_536;

    /// <summary>Rows per Parquet part file (bounds local temporary disk and what INCREMENTAL rewrites).</summary>
    public long RowsPerPart { get; init; } = 4_000_000;

    public static ImportMode ParseMode(string? mode) => mode?.ToUpperInvariant() switch
    {
        null or "" or "FULL" => ImportMode.Full,
        "INCREMENTAL" => ImportMode.Incremental,
        _ => throw new ArgumentException($"importMode \"{mode}\" is not FULL or INCREMENTAL.", nameof(mode)),
    };
}

/// <summary>Where an import is: its stage, and rows and bytes read of the total.</summary>
public sealed record ImportProgress(string Stage, long RowsRead, long BytesRead, long TotalBytes);

/// <summary>An import that failed for a reason a user can act on; the report says what was read before it stopped.</summary>
public sealed class ImportFailedException(string reason, ImportReport report) : Exception(reason)
{
    public ImportReport Report { get; } = report;
}
