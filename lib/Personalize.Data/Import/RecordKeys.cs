using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Personalize.Data.Datasets;
using Personalize.Data.Schemas;

namespace Personalize.Data.Import;

/// <summary>
/// The identity INCREMENTAL imports replace by, as a 64-bit hash: USER_ID for Users, ITEM_ID for Items, and for
/// Interactions the tuple (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE) - the same event recorded again. Hashes keep the
/// set of new keys at 8 bytes a row; a false match needs a 64-bit collision (about 1 in 10^7 for 20 million rows).
/// </summary>
internal sealed class RecordKeys
{
    private readonly int[] _columns;
    private readonly XxHash3 _hash = new();

    private RecordKeys(int[] columns) => _columns = columns;

    /// <summary>Key columns located in a batch; null when the batch lacks a key column (it then matches nothing).</summary>
    public static RecordKeys? For(string datasetType, RowBatch batch)
    {
        string[] names = datasetType switch
        {
            DatasetTypes.Users => [FieldNames.UserId],
            DatasetTypes.Items => [FieldNames.ItemId],
            _ => [FieldNames.UserId, FieldNames.ItemId, FieldNames.Timestamp, FieldNames.EventType],
        };
        var columns = names.Select(batch.IndexOf).ToArray();
        // EVENT_TYPE is optional: without it the key is (USER_ID, ITEM_ID, TIMESTAMP).
        return columns.Take(datasetType == DatasetTypes.Interactions ? 3 : 1).Any(c => c < 0) ? null : new RecordKeys(columns);
    }

    public ulong Of(RowBatch batch, int row)
    {
        _hash.Reset();
        Span<char> number = stackalloc char[24];
        foreach (var column in _columns)
        {
            switch (column < 0 ? null : batch.Columns[column].Get(row))
            {
                case string s:
                    _hash.Append(MemoryMarshal.AsBytes(s.AsSpan()));
                    break;
                case long l when l.TryFormat(number, out var written, default, CultureInfo.InvariantCulture):
                    _hash.Append(MemoryMarshal.AsBytes(number[..written]));
                    break;
            }

            _hash.Append([0x1f, 0]);
        }

        return _hash.GetCurrentHashAsUInt64();
    }
}
