namespace Personalize.Gateway.Auth;

/// <summary>An access key pair and the namespace (tenant) every call signed with it acts in.</summary>
public sealed record AccessKey(string AccessKeyId, string SecretAccessKey, string Namespace);

/// <summary>Where the gateway looks access keys up (Kubernetes Secrets in a cluster).</summary>
public interface IAccessKeys
{
    Task<AccessKey?> FindAsync(string accessKeyId, CancellationToken cancellationToken);
}
