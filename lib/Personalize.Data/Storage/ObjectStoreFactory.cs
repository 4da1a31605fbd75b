using Minio;

namespace Personalize.Data.Storage;

/// <summary>
/// Builds the object store every process uses from its environment (docs/contracts.md, contract 1): PERSONALIZE_STORE_ROOT selects a
/// local folder; otherwise PERSONALIZE_S3_ENDPOINT with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and optional
/// AWS_REGION) select S3.
/// </summary>
public static class ObjectStoreFactory
{
    public const string StoreRootVariable = "PERSONALIZE_STORE_ROOT";
    public const string EndpointVariable = "PERSONALIZE_S3_ENDPOINT";
    public const string AccessKeyVariable = "AWS_ACCESS_KEY_ID";
    public const string SecretKeyVariable = "AWS_SECRET_ACCESS_KEY";
    public const string RegionVariable = "AWS_REGION";

    public static IObjectStore FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>The same choice over any variable source (tests pass a dictionary).</summary>
    public static IObjectStore FromVariables(Func<string, string?> variable)
    {
        if (variable(StoreRootVariable) is { Length: > 0 } root)
        {
            return new FolderObjectStore(root);
        }

        var endpoint = variable(EndpointVariable);
        if (string.IsNullOrEmpty(endpoint))
        {
            throw new InvalidOperationException(
                $"No object store configured: set {StoreRootVariable} (a local folder) or {EndpointVariable} with {AccessKeyVariable} and {SecretKeyVariable}.");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{EndpointVariable} \"{endpoint}\" is not an http:// or https:// URL.");
        }

        var accessKey = variable(AccessKeyVariable);
        var secretKey = variable(SecretKeyVariable);
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            throw new InvalidOperationException($"{EndpointVariable} is set but {AccessKeyVariable} or {SecretKeyVariable} is missing.");
        }

        var builder = new MinioClient()
            .WithEndpoint(uri.Host, uri.Port)
            .WithCredentials(accessKey, secretKey)
            .WithSSL(uri.Scheme == Uri.UriSchemeHttps);
        if (variable(RegionVariable) is { Length: > 0 } region)
        {
            builder = builder.WithRegion(region);
        }

        return new MinioObjectStore(builder.Build());
    }
}
