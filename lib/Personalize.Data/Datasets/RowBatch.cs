using Parquet.Schema;
using Personalize.Data.Schemas;

namespace Personalize.Data.Datasets;

/// <summary>A block of rows held column by column (one Parquet row group's worth).</summary>
internal sealed class RowBatch
{
    public RowBatch(IReadOnlyList<ColumnBuffer> columns, int capacity)
    {
        Columns = columns;
        Capacity = capacity;
        foreach (var column in columns)
        {
            column.EnsureCapacity(capacity);
        }
    }

    public IReadOnlyList<ColumnBuffer> Columns { get; }

    public int Capacity { get; }

    public int Count { get; set; }

    public bool IsFull => Count == Capacity;

    public ParquetSchema ParquetSchema => new(Columns.Select(c => (Field)c.ParquetField));

    public static RowBatch For(DatasetSchema schema, int capacity) =>
        new(schema.Fields.Select(f => ColumnBuffer.Create(f.Name, f.Type)).ToList(), capacity);

    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Copies one row from another batch, matching columns by name (absent ones become null).</summary>
    public void CopyRow(RowBatch source, int sourceRow, int[] sourceIndexes)
    {
        for (var c = 0; c < Columns.Count; c++)
        {
            var from = sourceIndexes[c];
            if (from < 0 || !Columns[c].TrySet(Count, source.Columns[from].Get(sourceRow)))
            {
                Columns[c].SetNull(Count);
            }
        }

        Count++;
    }

    /// <summary>For each of our columns, the index of the same-named column in <paramref name="source"/>, or -1.</summary>
    public int[] MapFrom(RowBatch source) => Columns.Select(c => source.IndexOf(c.Name)).ToArray();
}
