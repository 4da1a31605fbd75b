using System.Runtime.CompilerServices;

namespace Personalize.Data.Storage;

/// <summary>
/// Local mode's object store: s3://bucket/key is the file {root}/bucket/key. Writes go to a temporary file beside the
/// target and are renamed over it, so a reader sees the old object or the new one, never a partial file.
/// </summary>
public sealed class FolderObjectStore(string root) : IObjectStore
{
    /// <summary>Marks in-flight writes; listings skip them.</summary>
    private const string TemporarySuffix = ".partial-write";

    public string Root { get; } = Path.GetFullPath(root);

    public Task<Stream> OpenReadAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(uri);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(uri);
        }
    }

    public async Task WriteAsync(S3Uri uri, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(uri);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(file, 1 << 16, cancellationToken);
                // Durable before it becomes visible: the runtime acknowledges events only after this returns.
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(S3Uri prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bucketDirectory = BucketDirectory(prefix);
        var keyPrefix = prefix.Key;
        // The deepest existing directory that can hold matching keys bounds the walk.
        var lastSlash = keyPrefix.LastIndexOf('/');
        var start = lastSlash < 0 ? bucketDirectory : Confine(prefix, Path.Combine(bucketDirectory, keyPrefix[..lastSlash]), bucketDirectory, allowBucket: true);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var matches = new List<(string Key, FileInfo File)>();
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (file.Name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = Path.GetRelativePath(bucketDirectory, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                matches.Add((key, file));
            }
        }

        matches.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, file) in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ObjectInfo(new S3Uri(prefix.Bucket, key), file.Length, file.LastWriteTimeUtc);
        }

        await Task.CompletedTask;
    }

    public Task<ObjectInfo?> StatAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var file = new FileInfo(PathOf(uri));
        return Task.FromResult(file.Exists ? new ObjectInfo(uri, file.Length, file.LastWriteTimeUtc) : null);
    }

    public Task DeleteAsync(S3Uri uri, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        File.Delete(PathOf(uri));
        return Task.CompletedTask;
    }

    /// <summary>The file that holds an object (s3://bucket/key is root/bucket/key).</summary>
    public string PathOf(S3Uri uri)
    {
        if (uri.IsPrefix)
        {
            throw new ArgumentException($"{uri} is a prefix, not an object.", nameof(uri));
        }

        var bucket = BucketDirectory(uri);
        return Confine(uri, Path.Combine(bucket, uri.Key), bucket, allowBucket: false);
    }

    /// <summary>The bucket's folder; a bucket name that is not a plain folder name ("..", "a/b") is refused.</summary>
    private string BucketDirectory(S3Uri uri)
    {
        if (uri.Bucket is "." or ".." || uri.Bucket.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            throw new ArgumentException($"{uri}: \"{uri.Bucket}\" is not a bucket name.", nameof(uri));
        }

        return Path.Combine(Root, uri.Bucket);
    }

    // A key with ".." must not leave its bucket: one bucket's objects are not another's.
    private static string Confine(S3Uri uri, string candidate, string bucketDirectory, bool allowBucket)
    {
        var path = Path.GetFullPath(candidate);
        if (!(path.StartsWith(bucketDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal) || (allowBucket && path == bucketDirectory))
            || uri.Key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{uri} resolves outside its bucket.", nameof(uri));
        }

        return path;
    }
}
