namespace Personalize.Gateway.Routing;

/// <summary>
/// How the gateway reaches the campaign runtime behind a campaign's status endpoint: the address to forward to, and
/// the bearer tokens the runtime accepts (none where it runs open).
/// </summary>
public interface IRuntimeAccess
{
    Task<RuntimeTarget> ResolveAsync(string endpoint, CancellationToken cancellationToken);

    /// <summary>The runtime refused every token: read again on the next call (the tokens were rotated).</summary>
    void Forget(string endpoint);
}

/// <summary>Where to forward, and the tokens to try in order (the current one first).</summary>
public sealed record RuntimeTarget(string Destination, IReadOnlyList<string> Tokens);

/// <summary>Local mode: the endpoint is a loopback address and the runtime checks no token.</summary>
public sealed class DirectRuntimeAccess : IRuntimeAccess
{
    public Task<RuntimeTarget> ResolveAsync(string endpoint, CancellationToken cancellationToken) => Task.FromResult(new RuntimeTarget(endpoint, []));

    public void Forget(string endpoint)
    {
    }
}
