namespace Personalize.Data.Storage;

/// <summary>An object or prefix in the object store, written s3://bucket/key. A key ending in '/' is a prefix.</summary>
public readonly record struct S3Uri(string Bucket, string Key)
{
    public bool IsPrefix => Key.Length == 0 || Key.EndsWith('/');

    public static S3Uri Parse(string uri)
    {
        if (!TryParse(uri, out var parsed))
        {
            throw new FormatException($"\"{uri}\" is not an s3:// location (expected s3://bucket/key).");
        }

        return parsed;
    }

    public static bool TryParse(string? uri, out S3Uri parsed)
    {
        parsed = default;
        if (uri is null || !uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = uri["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length < 3)
        {
            return false;
        }

        parsed = new S3Uri(bucket, slash < 0 ? string.Empty : rest[(slash + 1)..]);
        return true;
    }

    /// <summary>A child of this prefix: Append("a/b") on s3://x/p/ gives s3://x/p/a/b.</summary>
    public S3Uri Append(string relative) =>
        new(Bucket, (Key.Length == 0 || Key.EndsWith('/') ? Key : Key + "/") + relative.TrimStart('/'));

    /// <summary>This location as a prefix (with a trailing '/').</summary>
    public S3Uri AsPrefix() => IsPrefix ? this : this with { Key = Key + "/" };

    /// <summary>The last segment of the key: the file name of an object.</summary>
    public string Name => Key.TrimEnd('/')[(Key.TrimEnd('/').LastIndexOf('/') + 1)..];

    public override string ToString() => $"s3://{Bucket}/{Key}";
}
