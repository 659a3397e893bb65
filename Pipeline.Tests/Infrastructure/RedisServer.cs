using StackExchange.Redis;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// A throwaway redis-server on a free loopback port, no persistence. <see cref="Shared"/> is one
/// instance for the whole test run; tests isolate themselves with key prefixes or
/// <see cref="FlushAsync"/>. Tests that need Redis fail (never skip) when it cannot start —
/// <c>./test.sh</c> installs redis-server.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly Lazy<RedisServer> SharedInstance = new(() => Start(), LazyThreadSafetyMode.ExecutionAndPublication);
    private ServerProcess _process;

    private RedisServer(ServerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The server shared by the whole test run.</summary>
    public static RedisServer Shared => SharedInstance.Value;

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, for StackExchange.Redis.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>A connection string that survives the server stopping and coming back.</summary>
    public string ConnectionString => $"{Endpoint},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    /// <summary>Starts a new private server (fault tests stop and restart their own).</summary>
    public static RedisServer Start()
    {
        var binary = Locate();
        var port = FreePort.Next();
        var server = new RedisServer(Launch(binary, port), port);
        server.WaitUntilReady();
        return server;
    }

    /// <summary>Stops the server (simulates an outage); <see cref="Restart"/> brings it back on the same port.</summary>
    public void Stop() => _process.Dispose();

    /// <summary>Starts the server again on the same port.</summary>
    public void Restart()
    {
        _process = Launch(Locate(), Port);
        WaitUntilReady();
    }

    /// <summary>Deletes every key.</summary>
    public async Task FlushAsync()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        await mux.GetServer(Endpoint).FlushAllDatabasesAsync();
    }

    /// <inheritdoc />
    public void Dispose() => _process.Dispose();

    private static ServerProcess Launch(string binary, int port) =>
        ServerProcess.Start(binary, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"]);

    private static string Locate()
    {
        foreach (var candidate in new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
        {
            if (File.Exists(candidate)) return candidate;
        }

        throw new InvalidOperationException("redis-server is not installed; ./test.sh installs it (apt-get install redis-server)");
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var mux = ConnectionMultiplexer.Connect($"{Endpoint},abortConnect=true,connectTimeout=500");
                if (mux.GetDatabase().Ping() >= TimeSpan.Zero) return;
            }
            catch (RedisConnectionException)
            {
                if (!_process.IsRunning) break;
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port}: {_process.Output}");
    }
}
