using System.Diagnostics;
using Pipeline.Graph.Ingest;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Ingest;

[Trait("Category", "Integration")]
public sealed class RedisDedupeStoreTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private readonly DataQualityMetrics _metrics = new(new CollectorRegistry());

    [Fact]
    public async Task Claim_should_store_the_claiming_coordinates_with_the_ttl_and_flag_only_other_records()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.ConnectionString);
        var settings = Settings();
        await using var store = new RedisDedupeStore(redis, settings, settings.CreateMemoryStore(TimeProvider.System), _metrics, Sys.Log, TimeProvider.System);
        var id = Guid.NewGuid();

        var first = await store.ClaimAsync([new DedupeClaim(id, "transactions", 3, 17), new DedupeClaim(id, "transactions", 1, 99)], CancellationToken.None);
        var again = await store.ClaimAsync([new DedupeClaim(id, "transactions", 3, 17)], CancellationToken.None);

        Assert.Equal([false, true], first);
        Assert.Equal([false], again);
        var key = settings.RedisKeyPrefix + id.ToString("D");
        Assert.Equal("transactions/3/17", (string?)await redis.GetDatabase().StringGetAsync(key));
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, settings.Ttl - TimeSpan.FromMinutes(1), settings.Ttl);
        Assert.False(store.Degraded);
    }

    [Fact]
    public async Task Claim_should_fall_back_to_memory_without_stalling_and_return_to_redis_when_redis_goes_down_and_comes_back()
    {
        using var server = RedisServer.Start();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var settings = Settings() with { RedisTimeout = TimeSpan.FromMilliseconds(200), RedisRetryInterval = TimeSpan.FromMilliseconds(100) };
        await using var store = new RedisDedupeStore(redis, settings, settings.CreateMemoryStore(TimeProvider.System), _metrics, Sys.Log, TimeProvider.System);
        var before = Guid.NewGuid();
        Assert.Equal(new[] { false }, await store.ClaimAsync([new DedupeClaim(before, "t", 0, 1)], CancellationToken.None));

        server.Stop();
        var during = Guid.NewGuid();
        var watch = Stopwatch.StartNew();
        bool[] verdicts = [];
        await EventFilter.Warning(contains: "unavailable").ExpectOneAsync(async () =>
            verdicts = await store.ClaimAsync([new DedupeClaim(during, "t", 0, 2), new DedupeClaim(during, "t", 1, 3)], CancellationToken.None));
        watch.Stop();

        Assert.Equal([false, true], verdicts);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"a batch during the outage took {watch.Elapsed}");
        Assert.True(store.Degraded);
        Assert.True(_metrics.DedupeDegraded);
        Assert.Equal(2, _metrics.DedupeFallbacks);

        server.Restart();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (store.Degraded && DateTime.UtcNow < deadline)
        {
            await store.ClaimAsync([new DedupeClaim(Guid.NewGuid(), "t", 0, 4)], CancellationToken.None);
            await Task.Delay(50);
        }

        Assert.False(store.Degraded);
        Assert.False(_metrics.DedupeDegraded);
        var recovered = Guid.NewGuid();
        Assert.Equal(new[] { false }, await store.ClaimAsync([new DedupeClaim(recovered, "t", 0, 5)], CancellationToken.None));
        Assert.Equal(new[] { true }, await store.ClaimAsync([new DedupeClaim(recovered, "t", 3, 6)], CancellationToken.None));
        Assert.Equal("t/0/5", (string?)await redis.GetDatabase().StringGetAsync(settings.RedisKeyPrefix + recovered.ToString("D")));
    }

    private static DedupeSettings Settings() =>
        DedupeSettings.Create(DataQualityGraph.Reference.GetConfig("pipeline.dedupe")) with { Store = "redis", RedisKeyPrefix = $"test:{Guid.NewGuid():N}:" };
}
