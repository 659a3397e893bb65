using Npgsql;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb into a temp folder, postgres on a free loopback port,
/// fsync off). <see cref="Shared"/> is one server for the whole run; each test takes its own
/// database from <see cref="CreateDatabaseAsync"/>. When the tests run as root the server runs as
/// the <c>postgres</c> system user (initdb refuses root). Tests that need PostgreSQL fail (never
/// skip) when it cannot start — <c>./test.sh</c> installs it.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string SystemUser = "postgres";
    private static readonly Lazy<PostgresServer> SharedInstance = new(() => Start(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _databases;
    private readonly string _binDir;
    private readonly string _dataDir;
    private ServerProcess _process;

    private PostgresServer(string binDir, string dataDir, int port, ServerProcess process)
    {
        _binDir = binDir;
        _dataDir = dataDir;
        Port = port;
        _process = process;
    }

    /// <summary>The server shared by the whole test run.</summary>
    public static PostgresServer Shared => SharedInstance.Value;

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>A connection string to the <c>postgres</c> maintenance database.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    /// <summary>Starts a new private cluster (fault tests stop and restart their own).</summary>
    public static PostgresServer Start()
    {
        var binDir = LocateBinDir();
        var root = Directory.CreateTempSubdirectory("pipeline-pg-").FullName;
        var dataDir = Path.Combine(root, "data");
        if (ServerProcess.IsRoot)
        {
            // The data folder must belong to the user that runs initdb and postgres.
            var chown = ServerProcess.Run("chown", ["-R", $"{SystemUser}:", root]);
            if (chown.ExitCode != 0) throw new InvalidOperationException($"cannot hand {root} to {SystemUser}: {chown.Output}");
        }

        var init = ServerProcess.Run(Path.Combine(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], SystemUser);
        if (init.ExitCode != 0) throw new InvalidOperationException($"initdb failed: {init.Output}");
        var port = FreePort.Next();
        var server = new PostgresServer(binDir, dataDir, port, Launch(binDir, dataDir, port));
        server.WaitUntilReady();
        return server;
    }

    /// <summary>A connection string to <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true, Timeout = 5, CommandTimeout = 30 }.ToString();

    /// <summary>Creates a fresh empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    /// <summary>Stops the server immediately (simulates an outage).</summary>
    public void Stop()
    {
        ServerProcess.Run(Path.Combine(_binDir, "pg_ctl"), ["-D", _dataDir, "-m", "immediate", "stop"], SystemUser);
        _process.Dispose();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the server again on the same port and data.</summary>
    public void Restart()
    {
        _process = Launch(_binDir, _dataDir, Port);
        WaitUntilReady();
    }

    /// <inheritdoc />
    public void Dispose() => _process.Dispose();

    private static ServerProcess Launch(string binDir, string dataDir, int port) =>
        ServerProcess.Start(Path.Combine(binDir, "postgres"),
        [
            "-D", dataDir, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={dataDir}",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ], SystemUser);

    private static string LocateBinDir()
    {
        var root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var bin = Directory.GetDirectories(root).OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
            if (bin is not null) return bin;
        }

        throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql; ./test.sh installs them (apt-get install postgresql)");
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var c = new NpgsqlConnection(AdminConnectionString);
                c.Open();
                return;
            }
            catch (NpgsqlException)
            {
                if (!_process.IsRunning) break;
            }

            Thread.Sleep(100);
        }

        throw new InvalidOperationException($"postgres did not start on port {Port}: {_process.Output}");
    }
}
