using Personalize.Data.Schemas;

namespace Personalize.Data.Datasets;

/// <summary>
/// The real-time logs of a dataset group (docs/contracts.md, contract 2): one per dataset type, and the runtime's served
/// recommendation lists (<see cref="ServedRecommendations"/>). All are written, compacted and read the same way.
/// </summary>
public static class RealtimeLogs
{
    public static IReadOnlyList<string> All { get; } = [.. DatasetTypes.All, ServedRecommendations.Log];

    /// <summary>The canonical spelling of a log's name given in any case, or null when there is no such log.</summary>
    public static string? Canonical(string? log) =>
        All.FirstOrDefault(t => string.Equals(t, log, StringComparison.OrdinalIgnoreCase));
}
