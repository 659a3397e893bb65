using System.Net;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// The one <see cref="HttpClient"/> the alert channels share: a single <see cref="SocketsHttpHandler"/>
/// (connection pooling, DNS refresh through a bounded connection lifetime, a connect timeout, no
/// redirects — a redirected webhook is a misconfiguration, not something to follow with the body)
/// and no client-wide timeout, because each channel applies its own per request.
/// </summary>
public static class AlertHttp
{
    /// <summary>Creates the client; the host owns and disposes it.</summary>
    /// <param name="connectTimeout">Longest a TCP/TLS connect may take (use the shortest channel timeout).</param>
    public static HttpClient CreateClient(TimeSpan connectTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connectTimeout, TimeSpan.Zero);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 64,
            UseCookies = false,
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }
}
