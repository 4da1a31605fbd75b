using System.Net;
using System.Net.Sockets;

namespace Personalize.Testing;

/// <summary>Free loopback TCP ports. Never hands out the same port twice in one process, so
/// fixtures started in parallel cannot collide with each other between probe and bind.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
