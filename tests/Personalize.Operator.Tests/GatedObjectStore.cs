using System.Runtime.CompilerServices;
using Personalize.Data.Storage;

namespace Personalize.Operator.Tests;

/// <summary>
/// The real S3 store with a gate in front of its reads: while closed, every read waits (honouring cancellation), so a
/// test can hold a reconcile in flight, as a slow store would.
/// </summary>
public sealed class GatedObjectStore(IObjectStore inner) : IObjectStore
{
    private volatile TaskCompletionSource _open = Opened();
    private volatile TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a read has reached the closed gate.</summary>
    public Task ReadWaiting => _entered.Task;

    public void Close()
    {
        _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Open() => _open.TrySetResult();

    public async Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        await PassAsync(cancellationToken);
        return await inner.OpenReadAsync(uri, cancellationToken);
    }

    public Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken) => inner.WriteAsync(uri, content, cancellationToken);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await PassAsync(cancellationToken);
        await foreach (var info in inner.ListAsync(prefix, cancellationToken))
        {
            yield return info;
        }
    }

    public async Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        await PassAsync(cancellationToken);
        return await inner.StatAsync(uri, cancellationToken);
    }

    public Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task PassAsync(CancellationToken cancellationToken)
    {
        var open = _open;
        if (!open.Task.IsCompleted)
        {
            _entered.TrySetResult();
        }

        return open.Task.WaitAsync(cancellationToken);
    }
}
