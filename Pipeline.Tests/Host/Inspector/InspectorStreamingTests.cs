using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Host.Inspector;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

public sealed class InspectorStreamingTests
{
    [Fact]
    public async Task Log_tail_should_stream_new_entries_and_leave_the_connection_usable_when_cancelled()
    {
        var buffer = new InspectorLogBuffer(100);
        var settings = new InspectorSettings { Enabled = true, Host = IPAddress.Loopback, Port = 0, Token = string.Empty, LogBuffer = 100 };
        await using var server = new InspectorServer(settings, new InspectorDispatcher([new LogPalette(buffer)]), NullLogger<InspectorServer>.Instance);
        await server.StartAsync(CancellationToken.None);
        await using var client = await InspectorClient.ConnectAsync("127.0.0.1", server.Endpoint!.Port, null, TimeSpan.FromSeconds(10), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var streamed = new List<string>();

        var tail = Task.Run(async () =>
        {
            await foreach (var (_, response) in client.SendAsync(["log", "tail", "-l", "warning"], stop.Token))
            {
                streamed.Add(response.Text);
                if (streamed.Count == 2) await stop.CancelAsync();
            }
        });
        await Graph.Assembly.TransactionGraphTests.WaitUntil(() => buffer.Tails == 1, TimeSpan.FromSeconds(10));
        var t = new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);
        buffer.Add(t, LogLevel.Information, "c", "ignored: below warning", null);
        buffer.Add(t, LogLevel.Warning, "c", "first warning", null);
        buffer.Add(t, LogLevel.Error, "c", "then an error", null);
        await tail.WaitAsync(TimeSpan.FromSeconds(10));
        var after = new List<InspectorResponse>();
        await foreach (var (_, response) in client.SendAsync(["log", "peek", "-c", "1"], CancellationToken.None)) after.Add(response);

        Assert.Equal(2, streamed.Count);
        Assert.EndsWith("WRN c: first warning", streamed[0]);
        Assert.EndsWith("ERR c: then an error", streamed[1]);
        var peek = Assert.Single(after);
        Assert.True(peek.Final);
        Assert.EndsWith("ERR c: then an error", peek.Text);
        await Graph.Assembly.TransactionGraphTests.WaitUntil(() => buffer.Tails == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Server_should_log_an_error_and_let_the_host_run_when_its_port_is_taken()
    {
        using var occupier = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
        var buffer = new InspectorLogBuffer(10);
        using var provider = new InspectorLoggerProvider(buffer, TimeProvider.System);
        var settings = new InspectorSettings { Enabled = true, Host = IPAddress.Loopback, Port = port, Token = string.Empty, LogBuffer = 10 };
        await using var server = new InspectorServer(settings, new InspectorDispatcher([]), new Logger<InspectorServer>(new LoggerFactory([provider])));

        await server.StartAsync(CancellationToken.None);

        Assert.Null(server.Endpoint);
        var error = Assert.Single(buffer.Peek(10, LogLevel.Error));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", error.Message);
    }
}
