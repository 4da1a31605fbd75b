namespace Personalize.Data.Storage;

/// <summary>
/// The object store every component reads and writes: S3 (MinIO) in a cluster, a local folder in local mode.
/// Locations are s3:// URIs in both, so specs and statuses read the same whichever backs them.
/// </summary>
public interface IObjectStore
{
    /// <summary>Opens an object for streaming reads. Throws <see cref="ObjectNotFoundException"/> when it is absent.</summary>
    Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken);

    /// <summary>Writes a whole object from a stream of any length, replacing what was there atomically for readers.</summary>
    Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken);

    /// <summary>Every object under a prefix (recursively), in key order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, CancellationToken cancellationToken);

    /// <summary>The object's size and time, or null when it does not exist.</summary>
    Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken);

    /// <summary>Deletes one object; absent objects are not an error.</summary>
    Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken);
}

public sealed record ObjectInfo(S3Uri Uri, long Size, DateTimeOffset LastModified);

public sealed class ObjectNotFoundException(S3Uri uri) : Exception($"{uri} does not exist.")
{
    public S3Uri Uri { get; } = uri;
}
