using Npgsql;
using Pipeline.Graph.Sinks;
using Pipeline.Host.Cli;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

[Trait("Category", "Integration")]
public sealed class WriterBenchmarkTests
{
    [Fact]
    public async Task MeasureAsync_should_store_every_row_exactly_once_and_report_every_figure_when_run_small()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("writerbench");
        var store = StoreSettings.Create(ReferenceConfigFile.With("pipeline.store { batch-size = 500, flush-interval = 20ms }").GetConfig("pipeline.store"));
        var output = new StringWriter();

        var report = await WriterBenchmark.MeasureAsync(
            new WriterBenchmark.Options { ConnectionString = cs, Store = store, Rows = 2_000, Rate = 2_000, RateDuration = TimeSpan.FromSeconds(0.5), KeepSchema = true },
            output, CancellationToken.None);

        // Warm-up (1,000 rows), the measured rows and the rows fed at the fixed rate: each stored once; the replay added none.
        Assert.Equal(1_000 + 2_000 + 1_000, report.ExpectedRows);
        Assert.Equal(report.ExpectedRows, report.StoredRows);
        Assert.Equal(report.ExpectedRows, report.DistinctStoredRows);
        Assert.Equal(report.ExpectedRows, await ScalarAsync(cs, $"SELECT count(*) FROM {report.Schema}.scored_transactions"));
        Assert.Equal(0, report.ReplayNewRows);
        Assert.Equal(1_000 + 2_000, report.RawRows);
        Assert.Equal(1_000 + 2_000, await ScalarAsync(cs, $"SELECT count(*) FROM {report.Schema}.raw_copy_encoded"));
        Assert.Equal(1_000, report.RateRows);

        Assert.Equal(500, report.BatchSize);
        Assert.True(report.RawRowsPerSecond > 0 && report.PreEncodedRowsPerSecond > 0 && report.WriterRowsPerSecond > 0, output.ToString());
        Assert.True(report.RateBatches >= 2, output.ToString());
        Assert.True(report.AchievedRate > 0, output.ToString());
        Assert.True(report.LatencyP50 > TimeSpan.Zero && report.LatencyP50 <= report.LatencyP99 && report.LatencyP99 <= report.LatencyMax, output.ToString());
        var text = output.ToString();
        Assert.Contains("raw binary COPY (baseline)", text);
        Assert.Contains("ratio writer / raw COPY", text);
        Assert.Contains("p99", text);
        Assert.Contains("4000 (4000 distinct) of 4000 written", text);
    }

    [Fact]
    public async Task MeasureAsync_should_compare_concurrent_writers_with_as_many_raw_copy_connections_when_writers_is_above_one()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("writerbench");
        var store = StoreSettings.Create(ReferenceConfigFile.With("pipeline.store { batch-size = 500, flush-interval = 20ms, postgres.writers = 2 }").GetConfig("pipeline.store"));
        var output = new StringWriter();

        var report = await WriterBenchmark.MeasureAsync(
            new WriterBenchmark.Options { ConnectionString = cs, Store = store, Rows = 2_000, Rate = 2_000, RateDuration = TimeSpan.FromSeconds(0.5), KeepSchema = true },
            output, CancellationToken.None);

        // The concurrent phase's own 2,000 rows: half through the store's two writers, half through two raw COPY connections.
        Assert.Equal(2, report.Writers);
        Assert.Equal(1_000 + 2_000 + 1_000 + 1_000, report.ExpectedRows);
        Assert.Equal(report.ExpectedRows, report.DistinctStoredRows);
        Assert.Equal(report.ExpectedRows, report.StoredRows);
        Assert.Equal(1_000 + 2_000 + 1_000, report.RawRows);
        Assert.True(report.ConcurrentWriterRowsPerSecond > 0 && report.ConcurrentRawRowsPerSecond > 0 && report.ConcurrentPreEncodedRowsPerSecond > 0, output.ToString());
        Assert.Equal(1_000 + 2_000 + 1_000, await ScalarAsync(cs, $"SELECT count(*) FROM {report.Schema}.raw_copy_encoded"));
        Assert.Contains("ratio writer / raw, 2 at once", output.ToString());
    }

    [Fact]
    public async Task MeasureAsync_should_drop_its_schema_when_not_asked_to_keep_it()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("writerbench");
        var store = StoreSettings.Create(ReferenceConfigFile.With("pipeline.store { batch-size = 250 }").GetConfig("pipeline.store"));

        var report = await WriterBenchmark.MeasureAsync(
            new WriterBenchmark.Options { ConnectionString = cs, Store = store, Rows = 1_000, Rate = 1_000, RateDuration = TimeSpan.FromSeconds(0.2) },
            TextWriter.Null, CancellationToken.None);

        Assert.Equal(report.ExpectedRows, report.DistinctStoredRows);
        Assert.Equal(0, await ScalarAsync(cs, $"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{report.Schema}'"));
    }

    [Fact]
    public async Task RunAsync_should_ask_for_a_database_in_one_line_when_none_is_given()
    {
        var ex = await Assert.ThrowsAsync<CommandLineException>(() =>
            WriterBenchmark.RunAsync(CommandLineArgs.Parse([]), TextWriter.Null, CancellationToken.None, new Dictionary<string, string>()));

        Assert.Contains("--database-url", ex.Message);
        Assert.Contains("TIMESCALE_URL", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
