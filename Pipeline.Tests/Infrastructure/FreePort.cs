using System.Net;
using System.Net.Sockets;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Picks a free loopback TCP port for a throwaway server.</summary>
public static class FreePort
{
    /// <summary>A port nobody listens on right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
