using System.IO.Pipelines;

namespace Personalize.Data.Storage;

/// <summary>
/// The read side of a download running in the background: reads come from the pipe, and disposing stops the
/// download (a reader that stops early must not leave the transfer running).
/// </summary>
internal sealed class PipeReadStream(PipeReader reader, CancellationTokenSource download, Task transfer) : ReadOnlyStream
{
    private readonly Stream _inner = reader.AsStream();
    private int _disposed;

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await download.CancelAsync();
        await _inner.DisposeAsync();
        try
        {
            await transfer;
        }
        catch (OperationCanceledException)
        {
            // The transfer was stopped on purpose.
        }

        download.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            download.Cancel();
            _inner.Dispose();
            download.Dispose();
        }

        base.Dispose(disposing);
    }
}
