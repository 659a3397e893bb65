using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Graph.Sinks.Postgres.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

public sealed class StorageLayoutTests
{
    private static readonly TimescaleSettings Configured = new()
    {
        ChunkInterval = TimeSpan.FromHours(6),
        CompressAfter = TimeSpan.FromDays(3),
        RetainFor = TimeSpan.FromDays(30),
    };

    [Fact]
    public void Timescale_should_make_each_time_series_table_a_hypertable_with_the_configured_chunk_interval()
    {
        var sql = string.Join("\n", StorageLayout.Timescale("pipe", Configured));

        foreach (var (table, column) in new[] { ("scored_transactions", "ts"), ("drift_events", "ts"), ("quarantine", "received_at") })
        {
            Assert.Contains($"SELECT create_hypertable('pipe.{table}', '{column}', chunk_time_interval => INTERVAL '6 hours', if_not_exists => TRUE, migrate_data => TRUE", sql);
            Assert.Contains($"SELECT set_chunk_time_interval('pipe.{table}', INTERVAL '6 hours')", sql);
            Assert.Contains($"SELECT add_compression_policy('pipe.{table}', compress_after => INTERVAL '3 days')", sql);
            Assert.Contains($"SELECT add_retention_policy('pipe.{table}', drop_after => INTERVAL '30 days')", sql);
        }
    }

    [Fact]
    public void Timescale_should_replace_policies_so_a_changed_interval_applies_on_the_next_start()
    {
        var statements = StorageLayout.Timescale("pipe", Configured);

        var remove = statements.ToList().FindIndex(s => s.StartsWith("SELECT remove_compression_policy('pipe.scored_transactions'", StringComparison.Ordinal));
        var add = statements.ToList().FindIndex(s => s.StartsWith("SELECT add_compression_policy('pipe.scored_transactions'", StringComparison.Ordinal));
        Assert.True(remove >= 0 && add > remove, "the old policy is removed before the configured one is added");
    }

    [Fact]
    public void Timescale_should_only_remove_policies_when_compression_and_retention_are_disabled()
    {
        var sql = string.Join("\n", StorageLayout.Timescale("pipe", Configured with { CompressAfter = TimeSpan.Zero, RetainFor = TimeSpan.Zero }));

        Assert.Contains("remove_compression_policy", sql);
        Assert.Contains("remove_retention_policy", sql);
        Assert.DoesNotContain("add_compression_policy", sql);
        Assert.DoesNotContain("add_retention_policy", sql);
        Assert.DoesNotContain("timescaledb.compress,", sql);
    }

    [Fact]
    public void Timescale_should_create_the_per_account_minute_aggregate_without_materializing_inside_the_transaction()
    {
        var sql = string.Join("\n", StorageLayout.Timescale("pipe", Configured));

        Assert.Contains("CREATE MATERIALIZED VIEW IF NOT EXISTS account_stats_1m WITH (timescaledb.continuous)", sql);
        Assert.Contains("time_bucket(INTERVAL '1 minute', ts)", sql);
        Assert.Contains("WITH NO DATA", sql);
        Assert.Contains("SELECT add_continuous_aggregate_policy('pipe.account_stats_1m'", sql);
    }

    [Fact]
    public void Plain_should_use_no_timescaledb_function_when_the_extension_is_absent()
    {
        var sql = string.Join("\n", StorageLayout.Plain());

        Assert.DoesNotContain("timescaledb", sql);
        Assert.DoesNotContain("hypertable", sql);
        Assert.DoesNotContain("time_bucket", sql);
        Assert.Contains("CREATE OR REPLACE VIEW account_stats_1m", sql);
    }

    [Theory]
    [InlineData(86_400_000, "INTERVAL '1 day'")]
    [InlineData(7 * 86_400_000, "INTERVAL '7 days'")]
    [InlineData(90 * 60_000, "INTERVAL '90 minutes'")]
    [InlineData(3_600_000, "INTERVAL '1 hour'")]
    [InlineData(1_500, "INTERVAL '1500 milliseconds'")]
    public void Interval_should_use_the_largest_whole_unit(long milliseconds, string expected)
    {
        Assert.Equal(expected, StorageLayout.Interval(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Embedded_migrations_should_start_with_the_initial_schema_in_version_order()
    {
        var migrations = Migration.Embedded;

        Assert.Equal(1, migrations[0].Version);
        Assert.Equal("initial_schema", migrations[0].Name);
        Assert.Equal(migrations.OrderBy(m => m.Version).Select(m => m.Version), migrations.Select(m => m.Version));
        Assert.Contains("CREATE TABLE scored_transactions", migrations[0].Sql);
    }
}
