using System.Runtime.CompilerServices;
using Parquet;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>Reading Parquet files from the object store one row group at a time.</summary>
internal static class ParquetParts
{
    /// <summary>
    /// Streams a Parquet object's row groups as batches (the same batch object, refilled). Parquet needs seeking to
    /// read its footer, so an object store stream that cannot seek is first copied to a temporary file.
    /// </summary>
    public static async IAsyncEnumerable<RowBatch> ReadAsync(IObjectStore store, S3Uri uri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var source = await store.OpenReadAsync(uri, cancellationToken);
        await using var seekable = source.CanSeek ? null : await SpoolAsync(source, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(seekable ?? source, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        var columns = fields.Select(f => ColumnBuffer.Create(f.Name, ColumnBuffer.TypeOf(f))).ToList();
        RowBatch? batch = null;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            if (batch is null || batch.Capacity < rows)
            {
                batch = new RowBatch(columns, rows);
            }

            for (var c = 0; c < columns.Count; c++)
            {
                await columns[c].ReadAsync(group, fields[c], rows, cancellationToken);
            }

            batch.Count = rows;
            yield return batch;
        }
    }

    private static async Task<FileStream> SpoolAsync(Stream source, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"personalize-parquet-{Guid.NewGuid():N}"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await source.CopyToAsync(file, 1 << 16, cancellationToken);
        file.Position = 0;
        return file;
    }
}
