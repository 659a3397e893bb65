using Pipeline.Graph.Windows;
using Pipeline.Models.Features;
using Pipeline.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit;

namespace Pipeline.Tests.Graph.Windows;

[Trait("Category", "Integration")]
public sealed class RedisFeatureStateStoreTests
{
    private static RedisFeatureStoreSettings Settings(string prefix) =>
        WindowsTestKit.Settings().Redis with { ConnectionString = RedisServer.Shared.ConnectionString, KeyPrefix = prefix };

    [Fact]
    public async Task SaveAsync_should_store_snapshots_that_LoadAsync_returns_in_order_with_nulls_for_unknown_accounts()
    {
        var prefix = $"test:{Guid.NewGuid():N}:";
        await using var store = await RedisFeatureStateStore.ConnectAsync(Settings(prefix));

        byte[] buffer = [9, 1, 2, 3, 4, 9]; // checkpoints are slices of one reused buffer, as the stage writes them

        var skipped = await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 5), buffer.AsMemory(1, 3)), new FeatureCheckpoint("b", new RecordPosition("t", 1, 7), buffer.AsMemory(4, 1))], CancellationToken.None);
        var loaded = await store.LoadAsync(["b", "missing", "a"], CancellationToken.None);

        Assert.Equal(0, skipped);
        Assert.Equal([4], loaded[0]);
        Assert.Null(loaded[1]);
        Assert.Equal([1, 2, 3], loaded[2]);
        await using var mux = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.ConnectionString);
        var ttl = await mux.GetDatabase().KeyTimeToLiveAsync(prefix + "a");
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(29), TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task SaveAsync_should_refuse_a_checkpoint_behind_the_stored_one_on_the_same_partition_and_accept_another_partition()
    {
        await using var store = await RedisFeatureStateStore.ConnectAsync(Settings($"test:{Guid.NewGuid():N}:"));
        await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 10), new byte[] { 10 })], CancellationToken.None);

        var stale = await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 9), new byte[] { 9 })], CancellationToken.None);
        var afterStale = (await store.LoadAsync(["a"], CancellationToken.None))[0];
        var moved = await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 3, 1), new byte[] { 1 })], CancellationToken.None);
        var afterMove = (await store.LoadAsync(["a"], CancellationToken.None))[0];

        Assert.Equal(1, stale);
        Assert.Equal([10], afterStale);
        Assert.Equal(0, moved);
        Assert.Equal([1], afterMove);
    }
}
