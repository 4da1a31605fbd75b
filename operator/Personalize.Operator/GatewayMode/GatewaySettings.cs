namespace Personalize.Operator.GatewayMode;

/// <summary>`personalize gateway`'s port: --port, else PERSONALIZE_GATEWAY_PORT, else 8080; checked when the host starts.</summary>
public sealed class GatewaySettings
{
    public const string PortVariable = "PERSONALIZE_GATEWAY_PORT";

    public const int DefaultPort = 8080;

    public int Port { get; set; } = DefaultPort;
}
