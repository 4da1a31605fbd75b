namespace Personalize.Testing;

/// <summary>Where a test control plane listens and which Service range it hands out.</summary>
internal sealed record ControlPlaneNetwork(string BindAddress, string ServiceRange, IReadOnlyList<string> ExtraApiServerArguments)
{
    /// <summary>Loopback only: no node, so nothing outside the host process needs to reach it.</summary>
    public static ControlPlaneNetwork Loopback { get; } = new("127.0.0.1", "10.0.0.0/24", []);
}
