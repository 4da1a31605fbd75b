using System.Collections.Concurrent;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;

namespace Personalize.Runtime.Serving;

/// <summary>
/// The Users and Items schemas as stored with the datasets (StoredSchema): what PutUsers/PutItems properties are checked
/// against and the only metadata columns a replica keeps. A schema is immutable once a dataset has one, so a found
/// schema is kept; a missing one is looked up again next time (the dataset may be created after start-up).
/// </summary>
public sealed class DatasetSchemas(DatasetReader datasets)
{
    private readonly ConcurrentDictionary<string, DatasetSchema> _known = new(StringComparer.Ordinal);

    /// <summary>The schema if this replica has read it; null when the dataset has none yet.</summary>
    public DatasetSchema? Known(string datasetType) => _known.GetValueOrDefault(datasetType);

    public async Task<DatasetSchema?> GetAsync(string datasetType, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(datasetType, out var known))
        {
            return known;
        }

        var schema = await datasets.ReadSchemaAsync(datasetType, cancellationToken);
        return schema is null ? null : _known.GetOrAdd(datasetType, schema);
    }
}
