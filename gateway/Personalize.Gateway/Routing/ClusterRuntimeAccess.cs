using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using Personalize.Gateway.Protocol;
using Personalize.Operator.Controllers.Cluster;

namespace Personalize.Gateway.Routing;

/// <summary>
/// A campaign's runtime in a cluster. Its status endpoint names its Service (<c>http://name.namespace.svc.cluster.local</c>);
/// the gateway forwards to that Service's cluster IP, read from the API server, so it needs no cluster DNS, and
/// authenticates with the tokens of the Secret the operator keeps for the campaign (<c>name-token</c>, key
/// <see cref="RuntimeTokens.AcceptedKey"/>: the current token, then the previous one). Both are cached for
/// <see cref="RefreshInterval"/>; after a rotation the runtime pods see the new token only when the kubelet updates
/// their mount, so the gateway tries the current token and then the previous one. Needs only <c>get</c> on Services and
/// Secrets in the tenants' namespaces: it never lists Secrets there.
/// </summary>
public sealed class ClusterRuntimeAccess(IKubernetes client, TimeProvider time) : IRuntimeAccess
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);
    private const string ServiceSuffix = ".svc.cluster.local";

    private readonly ConcurrentDictionary<string, (RuntimeTarget Target, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    public async Task<RuntimeTarget> ResolveAsync(string endpoint, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(endpoint, out var cached) && time.GetUtcNow() - cached.ReadAt < RefreshInterval)
        {
            return cached.Target;
        }

        var uri = new Uri(endpoint);
        if (!uri.Host.EndsWith(ServiceSuffix, StringComparison.Ordinal) || uri.Host[..^ServiceSuffix.Length].Split('.') is not [var name, var ns])
        {
            // Not a Service of this cluster (an address set by hand): forwarded as it is, without a token.
            return new RuntimeTarget(endpoint, []);
        }

        var service = await ReadAsync(() => client.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: cancellationToken))
            ?? throw new PersonalizeException("ServiceUnavailableException", $"The campaign runtime's Service {ns}/{name} does not exist (yet).", 503);
        var port = service.Spec.Ports?.FirstOrDefault()?.Port ?? uri.Port;
        var destination = $"http://{service.Spec.ClusterIP}:{port.ToString(CultureInfo.InvariantCulture)}";
        // No Secret: the operator runs the runtimes without authentication (PERSONALIZE_RUNTIME_AUTH=false).
        var secret = await ReadAsync(() => client.CoreV1.ReadNamespacedSecretAsync(RuntimeTokens.SecretName(name), ns, cancellationToken: cancellationToken));
        var tokens = secret?.Data?.TryGetValue(RuntimeTokens.AcceptedKey, out var bytes) == true
            ? Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var target = new RuntimeTarget(destination, tokens);
        _cache[endpoint] = (target, time.GetUtcNow());
        return target;
    }

    public void Forget(string endpoint) => _cache.TryRemove(endpoint, out _);

    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
