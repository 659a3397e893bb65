using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Graph.Sinks.Postgres.Internal;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

[Trait("Category", "Integration")]
public sealed class SchemaMigratorTests
{
    private static readonly string[] Tables = ["scored_transactions", "quarantine", "drift_events", "model_versions", "consumer_offsets", "schema_migrations"];

    [Fact]
    public async Task Initialize_should_create_every_table_and_record_each_migration_when_the_database_is_empty()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        await using var store = new PostgresTransactionStore(PostgresTestData.Settings(cs));

        await store.InitializeAsync(CancellationToken.None);

        foreach (var table in Tables)
        {
            Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, $"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'"));
        }

        Assert.Equal(Migration.Embedded.Count, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(Migration.Embedded[^1].Version, store.SchemaVersion);
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM schema_migrations WHERE version = 1 AND name = 'initial_schema' AND applied_at <= now()"));
    }

    [Fact]
    public async Task Initialize_should_apply_nothing_and_keep_the_data_when_the_schema_is_current()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        await using (var first = new PostgresTransactionStore(PostgresTestData.Settings(cs)))
        {
            await first.InitializeAsync(CancellationToken.None);
            await first.WriteBatchAsync([PostgresTestData.Row(1)], [], CancellationToken.None);
        }

        var appliedAt = await PostgresTestData.ScalarAsync(cs, "SELECT (extract(epoch FROM max(applied_at)) * 1000000)::bigint FROM schema_migrations");
        await using var dataSource = NpgsqlDataSource.Create(cs);

        var outcome = await SchemaMigrator.MigrateAsync(dataSource, "public", PostgresTestData.Settings(cs).Timescale, Migration.Embedded, NullLogger.Instance, CancellationToken.None);

        Assert.Empty(outcome.Applied);
        Assert.Equal(appliedAt, await PostgresTestData.ScalarAsync(cs, "SELECT (extract(epoch FROM max(applied_at)) * 1000000)::bigint FROM schema_migrations"));
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
    }

    [Fact]
    public async Task Migrate_should_apply_each_migration_once_when_two_hosts_start_at_the_same_time()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        // A slow, non-idempotent step keeps the first runner inside its transaction while the second
        // arrives; applying anything twice would fail on CREATE TABLE.
        IReadOnlyList<Migration> migrations = [.. Migration.Embedded, new Migration(900, "slow_marker", "SELECT pg_sleep(1); CREATE TABLE slow_marker (id int);")];
        await using var a = NpgsqlDataSource.Create(cs);
        await using var b = NpgsqlDataSource.Create(cs);
        var timescale = PostgresTestData.Settings(cs).Timescale;

        var outcomes = await Task.WhenAll(
            Task.Run(() => SchemaMigrator.MigrateAsync(a, "public", timescale, migrations, NullLogger.Instance, CancellationToken.None)),
            Task.Run(() => SchemaMigrator.MigrateAsync(b, "public", timescale, migrations, NullLogger.Instance, CancellationToken.None)));

        Assert.Equal(migrations.Select(m => m.Version), outcomes.SelectMany(o => o.Applied).OrderBy(v => v));
        Assert.Contains(outcomes, o => o.Applied.Count == 0);
        Assert.All(outcomes, o => Assert.Equal(900, o.Version));
        Assert.Equal(migrations.Count, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Migrate_should_apply_only_the_new_migration_when_a_later_file_is_added()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        await using var dataSource = NpgsqlDataSource.Create(cs);
        var timescale = PostgresTestData.Settings(cs).Timescale;
        await SchemaMigrator.MigrateAsync(dataSource, "public", timescale, Migration.Embedded, NullLogger.Instance, CancellationToken.None);

        var outcome = await SchemaMigrator.MigrateAsync(
            dataSource, "public", timescale, [.. Migration.Embedded, new Migration(901, "add_note", "ALTER TABLE model_versions ADD COLUMN note text;")], NullLogger.Instance, CancellationToken.None);

        Assert.Equal([901], outcome.Applied);
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'model_versions' AND column_name = 'note'"));
    }

    [Fact]
    public async Task Migrate_should_roll_everything_back_and_name_the_migration_when_one_fails()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        await using var dataSource = NpgsqlDataSource.Create(cs);

        var ex = await Assert.ThrowsAsync<Pipeline.Graph.Sinks.StoreUnavailableException>(() => SchemaMigrator.MigrateAsync(
            dataSource, "public", PostgresTestData.Settings(cs).Timescale, [.. Migration.Embedded, new Migration(902, "broken", "ALTER TABLE no_such_table ADD COLUMN x int;")], NullLogger.Instance, CancellationToken.None));

        Assert.Contains("902_broken", ex.Message);
        Assert.Equal(0, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('scored_transactions', 'schema_migrations')"));
    }

    [Fact]
    public async Task Initialize_should_use_the_plain_layout_when_timescaledb_is_not_available()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        await using var store = new PostgresTransactionStore(PostgresTestData.Settings(cs));

        await store.InitializeAsync(CancellationToken.None);
        await store.WriteBatchAsync([PostgresTestData.Row(0), PostgresTestData.Row(1)], [], CancellationToken.None);

        Assert.False(store.UsesTimescale);
        Assert.Equal(0, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'"));
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM pg_views WHERE viewname = 'account_stats_1m'"));
        Assert.Equal(2, await PostgresTestData.ScalarAsync(cs, "SELECT sum(tx_count) FROM account_stats_1m"));
        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_scored_transactions_account_ts'"));
    }

    [Fact]
    public async Task Initialize_should_create_the_configured_schema_and_keep_the_tables_there()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("migrate");
        await using var store = new PostgresTransactionStore(PostgresTestData.Settings(cs, schema: "tenant_a"));

        await store.InitializeAsync(CancellationToken.None);
        await store.WriteBatchAsync([PostgresTestData.Row(3)], [], CancellationToken.None);

        Assert.Equal(1, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM tenant_a.scored_transactions"));
        Assert.Equal(0, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
    }
}
