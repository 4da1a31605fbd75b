namespace Personalize.Operator.GatewayMode;

/// <summary>
/// `personalize gateway`'s port: --port, else PERSONALIZE_GATEWAY_PORT, else 8080; and the namespaces it serves,
/// PERSONALIZE_WATCH_NAMESPACES (the operator's, as the chart passes both). Checked when the host starts.
/// </summary>
public sealed class GatewaySettings
{
    public const string PortVariable = "PERSONALIZE_GATEWAY_PORT";

    public const int DefaultPort = 8080;

    public int Port { get; set; } = DefaultPort;

    /// <summary>The namespaces cached and served; empty serves all; null when the variable does not parse.</summary>
    public IReadOnlyList<string>? WatchNamespaces { get; set; } = [];
}
