using System.Runtime.CompilerServices;
using Personalize.Data.Storage;

namespace Personalize.Runtime.Tests;

/// <summary>
/// The real store, observed and with injected faults (a transient S3 read error cannot be caused on demand): the first
/// <c>readFailures</c> reads of real-time objects throw as a dropped connection would, and listings are counted.
/// </summary>
public sealed class InstrumentedStore(IObjectStore inner, int readFailures = 0) : IObjectStore
{
    private int _failuresLeft = readFailures;
    private long _lists;
    private long _listedKeys;

    /// <summary>List calls so far.</summary>
    public long Lists => Interlocked.Read(ref _lists);

    /// <summary>Keys all listings returned so far.</summary>
    public long ListedKeys => Interlocked.Read(ref _listedKeys);

    public Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken) =>
        uri.Key.Contains("/realtime/", StringComparison.Ordinal) && Interlocked.Decrement(ref _failuresLeft) >= 0
            ? throw new IOException($"injected read failure of {uri}")
            : inner.OpenReadAsync(uri, cancellationToken);

    public Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken) => inner.WriteAsync(uri, content, cancellationToken);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lists);
        await foreach (var entry in inner.ListAsync(prefix, cancellationToken))
        {
            Interlocked.Increment(ref _listedKeys);
            yield return entry;
        }
    }

    public Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken) => inner.StatAsync(uri, cancellationToken);

    public Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);
}
