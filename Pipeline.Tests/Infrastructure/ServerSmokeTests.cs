using Npgsql;
using StackExchange.Redis;
using Xunit;

namespace Pipeline.Tests.Infrastructure;

[Trait("Category", "Integration")]
public sealed class ServerSmokeTests
{
    [Fact]
    public async Task PostgresServer_should_hand_out_isolated_databases_when_tests_ask()
    {
        var a = await PostgresServer.Shared.CreateDatabaseAsync();
        var b = await PostgresServer.Shared.CreateDatabaseAsync();

        await using var ca = new NpgsqlConnection(a);
        await ca.OpenAsync();
        await new NpgsqlCommand("CREATE TABLE t(x int); INSERT INTO t VALUES (1)", ca).ExecuteNonQueryAsync();
        await using var cb = new NpgsqlConnection(b);
        await cb.OpenAsync();
        var exists = await new NpgsqlCommand("SELECT to_regclass('public.t') IS NOT NULL", cb).ExecuteScalarAsync();

        Assert.False((bool)exists!);
    }

    [Fact]
    public async Task RedisServer_should_answer_commands_when_started()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.ConnectionString);
        var db = mux.GetDatabase();

        Assert.True(await db.StringSetAsync("smoke", "1", when: When.NotExists) || await db.KeyExistsAsync("smoke"));
        Assert.Equal("1", (string?)await db.StringGetAsync("smoke"));
    }
}
