using System.Text.RegularExpressions;
using Akka.Configuration;
using Npgsql;
using Pipeline.Graph.Configuration;
using Pipeline.Graph.Sinks.Postgres.Internal;

namespace Pipeline.Graph.Sinks.Postgres;

/// <summary>
/// The PostgreSQL/TimescaleDB store, read from <c>pipeline.store.postgres</c>. <see cref="ToString"/>
/// masks the password.
/// </summary>
public sealed partial record PostgresStoreSettings
{
    /// <summary>
    /// <c>connection-string</c>: Npgsql <c>Key=Value;…</c> form or a <c>postgres://</c> URL; set by the
    /// <c>TIMESCALE_URL</c> environment variable. Empty is allowed unless the store kind is postgres.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary><c>schema</c>: the schema holding the tables (created when missing).</summary>
    public required string Schema { get; init; }

    /// <summary><c>command-timeout</c>: longest one statement (or one COPY) may run before it fails and is retried.</summary>
    public required TimeSpan CommandTimeout { get; init; }

    /// <summary><c>store-offsets</c>: write each batch's next offsets to <c>consumer_offsets</c> in the batch's transaction.</summary>
    public required bool StoreOffsets { get; init; }

    /// <summary>
    /// <c>writers</c>: connections writing batches at once (1–16). More than one requires <see cref="StoreOffsets"/> off,
    /// because a later batch committed first would store offsets ahead of an earlier batch not yet written.
    /// </summary>
    public int Writers { get; init; } = 1;

    /// <summary><c>timescale</c>: hypertable policies (only when the extension is present).</summary>
    public required TimescaleSettings Timescale { get; init; }

    /// <summary>Reads <c>pipeline.store.postgres</c>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or invalid; the message never contains the password.</exception>
    public static PostgresStoreSettings Create(Config postgres)
    {
        var connectionString = ConfigReader.String(postgres, "connection-string");
        if (connectionString.Length > 0) PostgresConnectionString.Parse(connectionString, ConfigReader.PathOf(postgres, "connection-string"));
        var schema = ConfigReader.String(postgres, "schema", allowEmpty: false);
        if (!Identifier().IsMatch(schema))
        {
            throw new ConfigurationException($"setting 'schema' = '{schema}' must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
        }

        var storeOffsets = ConfigReader.Bool(postgres, "store-offsets");
        var writers = ConfigReader.Int(postgres, "writers", 1, 16);
        if (writers > 1 && storeOffsets)
        {
            throw new ConfigurationException($"setting 'writers' = {writers} requires 'store-offsets' = off: with several writers a later batch can commit first, and its stored offsets would skip an earlier batch that a crash left unwritten");
        }

        return new PostgresStoreSettings
        {
            ConnectionString = connectionString,
            Schema = schema,
            CommandTimeout = ConfigReader.Duration(postgres, "command-timeout", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            StoreOffsets = storeOffsets,
            Writers = writers,
            Timescale = TimescaleSettings.Create(ConfigReader.Block(postgres, "timescale")),
        };
    }

    /// <summary>A copy with <paramref name="connectionString"/>.</summary>
    public PostgresStoreSettings WithConnectionString(string connectionString) => this with { ConnectionString = connectionString };

    /// <summary>A copy with <c>store-offsets</c> set to <paramref name="storeOffsets"/> (on also sets one writer).</summary>
    public PostgresStoreSettings WithStoreOffsets(bool storeOffsets) => this with { StoreOffsets = storeOffsets, Writers = storeOffsets ? 1 : Writers };

    /// <summary>A copy with <paramref name="writers"/> concurrent writers (1–16; more than 1 only with <c>store-offsets</c> off).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range, or more than one writer with <c>store-offsets</c> on.</exception>
    public PostgresStoreSettings WithWriters(int writers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writers, StoreOffsets ? 1 : 16);
        return this with { Writers = writers };
    }

    /// <summary>
    /// <see cref="ConnectionString"/> as an Npgsql builder (a <c>postgres://</c> URL converted), for tools that open
    /// their own connections to the store's database. It holds the password: never log it.
    /// </summary>
    /// <exception cref="ConfigurationException">The connection string does not parse (the message never contains it).</exception>
    public NpgsqlConnectionStringBuilder ConnectionStringBuilder() => PostgresConnectionString.Parse(ConnectionString, "pipeline.store.postgres.connection-string");

    /// <summary>The settings with the connection string's password masked.</summary>
    public override string ToString() =>
        $"PostgresStoreSettings {{ ConnectionString = {PostgresConnectionString.Masked(ConnectionString, "connection-string")}, Schema = {Schema}, CommandTimeout = {CommandTimeout}, StoreOffsets = {StoreOffsets}, Writers = {Writers}, Timescale = {Timescale} }}";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
