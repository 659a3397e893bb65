using System.Text;
using Akka.Configuration;
using Pipeline.Graph.Configuration;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// Where the model registry's journal and snapshots live (HOCON <c>pipeline.persistence</c>), and
/// the Akka.Persistence.Sql configuration generated from it (Akka.Persistence.Sql.Hosting is not
/// available, so the plugin is configured by HOCON). <see cref="ToString"/> masks the connection string.
/// </summary>
public sealed record PersistenceSettings
{
    /// <summary>The HOCON path of the block.</summary>
    public const string Section = "pipeline.persistence";

    /// <summary>"sqlite" or "postgresql" (<c>provider</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>
    /// ADO.NET connection string (<c>connection-string</c>); empty means the host supplies one
    /// (for SQLite, a file next to the store's database).
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>The linq2db provider name the plugin needs for <see cref="Provider"/>.</summary>
    public string ProviderName => Provider == "postgresql" ? "PostgreSQL.15" : "SQLite.MS";

    /// <summary>Reads <c>pipeline.persistence</c> from <paramref name="config"/> (the whole configuration).</summary>
    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static PersistenceSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PersistenceSettings
        {
            Provider = ConfigReader.OneOf(config, $"{Section}.provider", "sqlite", "postgresql"),
            ConnectionString = ConfigReader.String(config, $"{Section}.connection-string"),
        };
    }

    /// <summary>A copy with <paramref name="connectionString"/>.</summary>
    public PersistenceSettings WithConnectionString(string connectionString) => this with { ConnectionString = connectionString };

    /// <summary>
    /// The <c>akka.persistence</c> configuration: the SQL journal, snapshot store and read journal
    /// as the default plugins, with the default table mapping and tables created on first use.
    /// Prepend it to the actor system's configuration.
    /// </summary>
    /// <exception cref="ConfigurationException">The connection string is empty.</exception>
    public Config ToAkkaConfig()
    {
        if (ConnectionString.Length == 0)
        {
            throw new ConfigurationException($"setting '{Section}.connection-string' is empty: the host must supply a connection string");
        }

        var cs = Quote(ConnectionString);
        var provider = Quote(ProviderName);
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  table-mapping = default
                  auto-initialize = true
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  table-mapping = default
                  auto-initialize = true
                }
              }
              query.journal.sql {
                class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
                write-plugin = "akka.persistence.journal.sql"
                connection-string = {{cs}}
                provider-name = {{provider}}
                table-mapping = default
                auto-initialize = true
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon);
    }

    /// <inheritdoc />
    public override string ToString() => $"PersistenceSettings {{ Provider = {Provider}, ConnectionString = {(ConnectionString.Length == 0 ? "(host default)" : "***")} }}";

    private static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
