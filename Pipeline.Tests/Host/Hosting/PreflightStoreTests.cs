using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Host.Hosting;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Host.Hosting;

[Trait("Category", "Integration")]
public sealed class PreflightStoreTests
{
    [Fact]
    public async Task OpenStore_should_open_and_migrate_postgres_when_the_environment_names_it()
    {
        var cs = await PostgresServer.Shared.CreateDatabaseAsync("preflight");
        var env = new Dictionary<string, string> { ["PIPELINE_STORE"] = "postgres", ["TIMESCALE_URL"] = cs };
        var settings = RunOptions.Create(PipelineConfigLoader.Load(env, null, null)).Graph.Store;

        await using var store = await Preflight.OpenStoreAsync(settings, env, CancellationToken.None, postgresMetrics: new PostgresStoreMetrics(Metrics.NewCustomRegistry()));

        var postgres = Assert.IsType<PostgresTransactionStore>(store);
        Assert.True(postgres.SchemaVersion >= 1);
        Assert.True(await store.IsHealthyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task OpenStore_should_fail_in_one_line_when_postgres_is_chosen_without_a_connection_string()
    {
        var env = new Dictionary<string, string> { ["PIPELINE_STORE"] = "postgres" };
        var settings = RunOptions.Create(PipelineConfigLoader.Load(env, null, null)).Graph.Store;

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => Preflight.OpenStoreAsync(settings, env, CancellationToken.None));

        Assert.Contains("TIMESCALE_URL", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
