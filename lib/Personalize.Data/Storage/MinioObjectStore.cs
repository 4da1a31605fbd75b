using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;
using MinioObjectNotFound = Minio.Exceptions.ObjectNotFoundException;

namespace Personalize.Data.Storage;

/// <summary>
/// The object store on S3 or MinIO through the Minio SDK. Reads stream through a pipe (the SDK hands the body to a
/// callback); writes of unknown length spool to a temporary file first because an S3 PUT needs the size up front.
/// A missing bucket is created on first write, so a fresh MinIO needs no setup step. A request that fails with no
/// answer about the object (<see cref="IsTransient"/>) is asked again while nothing of it has reached the caller.
/// </summary>
public sealed class MinioObjectStore(IMinioClient client) : IObjectStore, IDisposable
{
    public IMinioClient Client { get; } = client;

    public async Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var download = new CancellationTokenSource();
        var args = new GetObjectArgs()
            .WithBucket(uri.Bucket)
            .WithObject(uri.Key)
            .WithCallbackStream(async (body, ct) =>
            {
                started.TrySetResult();
                await using var target = pipe.Writer.AsStream(leaveOpen: true);
                await body.CopyToAsync(target, 1 << 16, ct);
            });
        var transfer = Task.Run(
            async () =>
            {
                try
                {
                    // Until the body starts no byte of it has reached the reader, so asking again cannot repeat any.
                    await RetriedAsync(() => Client.GetObjectAsync(args, download.Token), () => !started.Task.IsCompleted, download.Token);
                    await pipe.Writer.CompleteAsync();
                }
                catch (Exception e)
                {
                    var mapped = Map(e, uri);
                    started.TrySetException(mapped);
                    await pipe.Writer.CompleteAsync(mapped);
                }
                finally
                {
                    started.TrySetResult();
                }
            },
            CancellationToken.None);
        using (cancellationToken.Register(download.Cancel))
        {
            // Errors before the body (no such key or bucket, access denied) surface here, not on the first read.
            await started.Task;
        }

        return new PipeReadStream(pipe.Reader, download, transfer);
    }

    public async Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken)
    {
        if (content.CanSeek)
        {
            await PutAsync(uri, content, content.Length - content.Position, cancellationToken);
            return;
        }

        var spool = Path.Combine(Path.GetTempPath(), $"personalize-upload-{Guid.NewGuid():N}");
        try
        {
            await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
                FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            await content.CopyToAsync(file, 1 << 16, cancellationToken);
            file.Position = 0;
            await PutAsync(uri, file, file.Length, cancellationToken);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>
    /// Every object under the prefix, in S3's key order. A listing that fails with no answer is listed again from the
    /// start, and the keys up to the last one already given are skipped (the SDK has no start-after), so the caller
    /// sees each key once.
    /// </summary>
    public async IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? lastGiven = null;
        for (var attempt = 1; ; attempt++)
        {
            var args = new ListObjectsArgs().WithBucket(prefix.Bucket).WithPrefix(prefix.Key).WithRecursive(true);
            await using var enumerator = Client.ListObjectsEnumAsync(args, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var resumeAfter = lastGiven;
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync();
                }
                catch (Exception e) when (IsMissing(e))
                {
                    // An absent bucket holds no objects, as an absent folder does in the folder store.
                    yield break;
                }
                catch (Exception e) when (attempt < Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (!more)
                {
                    yield break;
                }

                var item = enumerator.Current;
                if (item.IsDir || (resumeAfter is not null && InKeyOrder(item.Key, resumeAfter) <= 0))
                {
                    continue;
                }

                resumeAfter = null;
                lastGiven = item.Key;
                yield return new ObjectInfo(new S3Uri(prefix.Bucket, item.Key), (long)item.Size,
                    item.LastModifiedDateTime is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc)) : DateTimeOffset.MinValue);
            }

            await Task.Delay(RetryDelay(attempt), cancellationToken);
        }
    }

    public async Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            var stat = await RetriedAsync(() => Client.StatObjectAsync(new StatObjectArgs().WithBucket(uri.Bucket).WithObject(uri.Key), cancellationToken), cancellationToken);
            return new ObjectInfo(uri, stat.Size, new DateTimeOffset(DateTime.SpecifyKind(stat.LastModified, DateTimeKind.Utc)));
        }
        catch (Exception e) when (IsMissing(e))
        {
            return null;
        }
    }

    public async Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            await RetriedAsync(() => Client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(uri.Bucket).WithObject(uri.Key), cancellationToken), cancellationToken);
        }
        catch (Exception e) when (IsMissing(e))
        {
            // Deleting what is not there is done.
        }
    }

    public void Dispose() => Client.Dispose();

    /// <summary>PUTs the seekable <paramref name="content"/> from its position, each try from there again (a PUT replaces the whole object).</summary>
    private async Task PutAsync(S3Uri uri, Stream content, long size, CancellationToken cancellationToken)
    {
        var start = content.Position;
        Task PutFromStart()
        {
            content.Position = start;
            return Client.PutObjectAsync(Put(uri, content, size), cancellationToken);
        }

        try
        {
            await RetriedAsync(PutFromStart, cancellationToken);
        }
        catch (BucketNotFoundException)
        {
            await EnsureBucketAsync(uri.Bucket, cancellationToken);
            await RetriedAsync(PutFromStart, cancellationToken);
        }
    }

    private static PutObjectArgs Put(S3Uri uri, Stream content, long size) =>
        new PutObjectArgs().WithBucket(uri.Bucket).WithObject(uri.Key).WithStreamData(content).WithObjectSize(size)
            .WithContentType("application/octet-stream");

    /// <summary>Creates the bucket unless it exists (another writer may create it at the same moment).</summary>
    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (await Client.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken))
        {
            return;
        }

        try
        {
            await Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), cancellationToken);
        }
        catch (MinioException)
        {
            // Another writer may have created it a moment ago: only a bucket that is still absent is an error.
            if (!await Client.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken))
            {
                throw;
            }
        }
    }

    /// <summary>Tries of a request that fails with no definite answer from S3.</summary>
    private const int Attempts = 3;

    private static TimeSpan RetryDelay(int attempt) => TimeSpan.FromMilliseconds(100 << attempt);

    private static Task RetriedAsync(Func<Task> request, CancellationToken cancellationToken) =>
        RetriedAsync(request, () => true, cancellationToken);

    private static async Task<T> RetriedAsync<T>(Func<Task<T>> request, CancellationToken cancellationToken)
    {
        var result = default(T)!;
        await RetriedAsync(async () => result = await request(), () => true, cancellationToken);
        return result;
    }

    /// <summary>Runs <paramref name="request"/>, again after a transient failure while <paramref name="mayRepeat"/> holds, up to <see cref="Attempts"/> tries.</summary>
    private static async Task RetriedAsync(Func<Task> request, Func<bool> mayRepeat, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await request();
                return;
            }
            catch (Exception e) when (attempt < Attempts && IsTransient(e) && mayRepeat() && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(RetryDelay(attempt), cancellationToken);
            }
        }
    }

    /// <summary>S3's listing order: keys compared as UTF-8 bytes.</summary>
    private static int InKeyOrder(string key, string other) =>
        Encoding.UTF8.GetBytes(key).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(other));

    /// <summary>
    /// Not an answer about the object (missing, denied, invalid): a 5xx, a dropped connection, or an error response
    /// without a body that the Minio SDK fails to parse (it throws NullReferenceException for a bodiless 405 or 501,
    /// minio-dotnet#1333), which a HEAD under load can get.
    /// </summary>
    private static bool IsTransient(Exception e) =>
        e is not (OperationCanceledException or AccessDeniedException or AuthorizationException or InvalidObjectNameException
            or InvalidBucketNameException) && !IsMissing(e);

    private static Exception Map(Exception e, S3Uri uri) =>
        IsMissing(e) ? new ObjectNotFoundException(uri) : e;

    /// <summary>S3's answer that the object or its bucket does not exist, in any of the forms the SDK gives it.</summary>
    private static bool IsMissing(Exception e) => e is MinioObjectNotFound or BucketNotFoundException || IsNotFound(e);

    private static bool IsNotFound(Exception e) =>
        e is MinioException { Response.Code: "NoSuchKey" or "NoSuchBucket" } || e is MinioException { ServerResponse.StatusCode: HttpStatusCode.NotFound };
}
