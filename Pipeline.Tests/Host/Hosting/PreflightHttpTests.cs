using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Pipeline.Host.Hosting;
using Xunit;

namespace Pipeline.Tests.Host.Hosting;

public sealed class PreflightHttpTests
{
    [Fact]
    public void CheckHttpEndpoint_should_accept_free_wildcard_and_listed_urls_and_name_the_one_whose_port_is_taken()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;

            Preflight.CheckHttpEndpoint("http://127.0.0.1:0;http://+:0;http://localhost:0");
            var ex = Assert.Throws<ConfigurationException>(() => Preflight.CheckHttpEndpoint($"http://127.0.0.1:0; http://127.0.0.1:{port}"));
            var unparsable = Assert.Throws<ConfigurationException>(() => Preflight.CheckHttpEndpoint("127.0.0.1 port 8080"));

            Assert.StartsWith($"cannot listen on http://127.0.0.1:{port} ", ex.Message);
            Assert.Contains("pipeline.http.url", unparsable.Message);
        }
        finally
        {
            taken.Stop();
        }
    }
}
