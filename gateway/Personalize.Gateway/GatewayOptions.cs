using Personalize.Gateway.Auth;
using Personalize.Gateway.Routing;

namespace Personalize.Gateway;

/// <summary>How the gateway listens and whom it serves.</summary>
public sealed record GatewayOptions
{
    /// <summary>0 picks a free port (see <see cref="GatewayServer.Endpoint"/>).</summary>
    public int Port { get; init; }

    /// <summary>Loopback only (local mode) or every interface (a pod).</summary>
    public bool ListenOnAllInterfaces { get; init; }

    /// <summary>Verifies SigV4 against these keys; each key's namespace is its tenant. Null runs open.</summary>
    public IAccessKeys? AccessKeys { get; init; }

    /// <summary>The namespaces served (the operator's operator.watchNamespaces); empty serves all. A key acting in
    /// another namespace is refused with AccessDeniedException: nothing there is cached or reconciled.</summary>
    public IReadOnlyList<string> ServedNamespaces { get; init; } = [];

    /// <summary>Where unsigned calls act when the gateway runs open (local mode).</summary>
    public string OpenNamespace { get; init; } = "default";

    /// <summary>How runtime and events calls reach a campaign's runtime: as its endpoint says (local mode), or through
    /// its Service with its bearer token (<see cref="ClusterRuntimeAccess"/>).</summary>
    public IRuntimeAccess RuntimeAccess { get; init; } = new DirectRuntimeAccess();
}
