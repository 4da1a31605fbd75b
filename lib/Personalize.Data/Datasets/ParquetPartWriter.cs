using Parquet;
using Personalize.Data.Storage;

namespace Personalize.Data.Datasets;

/// <summary>
/// Writes batches as row groups of Parquet part files under a prefix: part-00000.parquet, part-00001.parquet, ...
/// A part is built in a local temporary file (Parquet seeks back to write its footer) and uploaded when it reaches
/// <see cref="RowsPerPart"/> rows, so memory holds one batch and disk one part, whatever the dataset size.
/// </summary>
internal sealed class ParquetPartWriter(IObjectStore store, S3Uri prefix, long rowsPerPart = ParquetPartWriter.DefaultRowsPerPart) : IAsyncDisposable
{
    public const long DefaultRowsPerPart = 4_000_000;

    private readonly List<BulkFile> _written = [];
    private FileStream? _file;
    private ParquetWriter? _writer;
    private long _partRows;

    public long RowsPerPart { get; } = rowsPerPart;

    public IReadOnlyList<BulkFile> Written => _written;

    public long RowCount => _written.Sum(f => f.Rows) + _partRows;

    public async Task WriteAsync(RowBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (_writer is null)
        {
            _file = new FileStream(Path.Combine(Path.GetTempPath(), $"personalize-part-{Guid.NewGuid():N}.parquet"), FileMode.CreateNew,
                FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            _writer = await ParquetWriter.CreateAsync(batch.ParquetSchema, _file, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy },
                cancellationToken: cancellationToken);
        }

        using (var group = _writer.CreateRowGroup())
        {
            foreach (var column in batch.Columns)
            {
                await column.WriteAsync(group, batch.Count, cancellationToken);
            }
        }

        _partRows += batch.Count;
        if (_partRows >= RowsPerPart)
        {
            await FlushPartAsync(cancellationToken);
        }
    }

    /// <summary>Uploads the part being built, if any; returns every part written.</summary>
    public async Task<IReadOnlyList<BulkFile>> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushPartAsync(cancellationToken);
        return _written;
    }

    private async Task FlushPartAsync(CancellationToken cancellationToken)
    {
        if (_writer is null || _file is null)
        {
            return;
        }

        await _writer.DisposeAsync();
        _writer = null;
        var uri = prefix.Append($"part-{_written.Count:D5}.parquet");
        _file.Position = 0;
        await store.WriteAsync(uri, _file, cancellationToken);
        await _file.DisposeAsync();
        _file = null;
        _written.Add(new BulkFile(uri.Key, _partRows));
        _partRows = 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }
}
