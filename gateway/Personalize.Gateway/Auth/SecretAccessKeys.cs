using System.Text;
using k8s;
using k8s.Models;

namespace Personalize.Gateway.Auth;

/// <summary>
/// Access keys held in Kubernetes Secrets of the gateway's own namespace, labelled
/// <c>personalize.io/gateway-access-key=true</c>, with the data keys <c>accessKeyId</c>, <c>secretAccessKey</c> and
/// <c>namespace</c> (the tenant the key acts in). Keeping them in one namespace means the gateway reads Secrets there
/// only, and a tenant cannot mint a key for itself. Read again at most every <see cref="RefreshInterval"/>, and at
/// once when an unknown key id arrives (so a new key works immediately, a revoked one stops within the interval).
/// </summary>
public sealed class SecretAccessKeys(IKubernetes client, string secretNamespace, TimeProvider time) : IAccessKeys
{
    public const string Label = "personalize.io/gateway-access-key";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyDictionary<string, AccessKey> _keys = new Dictionary<string, AccessKey>();
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public async Task<AccessKey?> FindAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _readAt < RefreshInterval && _keys.TryGetValue(accessKeyId, out var cached))
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var secrets = await client.CoreV1.ListNamespacedSecretAsync(secretNamespace, labelSelector: $"{Label}=true", cancellationToken: cancellationToken);
            _keys = secrets.Items.Select(Parse).OfType<AccessKey>().GroupBy(k => k.AccessKeyId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            _readAt = time.GetUtcNow();
        }
        finally
        {
            _gate.Release();
        }

        return _keys.GetValueOrDefault(accessKeyId);
    }

    private static AccessKey? Parse(V1Secret secret)
    {
        string? Value(string key) => secret.Data?.TryGetValue(key, out var bytes) == true ? Encoding.UTF8.GetString(bytes).Trim() : null;
        return (Value("accessKeyId"), Value("secretAccessKey"), Value("namespace")) is ({ Length: > 0 } id, { Length: > 0 } secretKey, { Length: > 0 } ns)
            ? new AccessKey(id, secretKey, ns)
            : null;
    }
}
