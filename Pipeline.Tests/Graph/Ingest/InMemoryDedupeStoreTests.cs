using Pipeline.Graph.Ingest;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Ingest;

[Collection(ProcessMemoryCollection.Name)]
public sealed class InMemoryDedupeStoreTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Start);

    [Fact]
    public void Claim_should_flag_a_transaction_id_when_another_record_claimed_it_first()
    {
        var store = new InMemoryDedupeStore(100, TimeSpan.FromHours(1), _clock);

        var first = store.Claim([Claim(1, partition: 0, offset: 10)]);
        var second = store.Claim([Claim(1, partition: 2, offset: 99), Claim(2, partition: 2, offset: 100)]);

        Assert.Equal([false], first);
        Assert.Equal([true, false], second);
    }

    [Fact]
    public void Claim_should_not_flag_the_same_record_when_it_is_delivered_again()
    {
        var store = new InMemoryDedupeStore(100, TimeSpan.FromHours(1), _clock);
        store.Claim([Claim(1, partition: 0, offset: 10)]);

        Assert.Equal([false], store.Claim([Claim(1, partition: 0, offset: 10)]));
        Assert.Equal([true], store.Claim([Claim(1, partition: 0, offset: 11)]));
    }

    [Fact]
    public void Claim_should_flag_the_later_of_two_claims_when_both_are_in_one_batch()
    {
        var store = new InMemoryDedupeStore(100, TimeSpan.FromHours(1), _clock);

        Assert.Equal([false, false, true], store.Claim([Claim(7, 0, 1), Claim(8, 0, 2), Claim(7, 1, 5)]));
    }

    [Fact]
    public void Claim_should_forget_an_id_when_its_ttl_has_passed()
    {
        var store = new InMemoryDedupeStore(100, TimeSpan.FromMinutes(10), _clock);
        store.Claim([Claim(1, 0, 10)]);

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal([true], store.Claim([Claim(1, 0, 11)]));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([false], store.Claim([Claim(1, 0, 12)]));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Claim_should_forget_the_oldest_id_when_the_store_is_full()
    {
        var store = new InMemoryDedupeStore(3, TimeSpan.FromHours(1), _clock);
        store.Claim([Claim(1, 0, 1), Claim(2, 0, 2), Claim(3, 0, 3), Claim(4, 0, 4)]);

        Assert.Equal(3, store.Count);
        Assert.Equal([true, true, false], store.Claim([Claim(4, 1, 4), Claim(3, 1, 3), Claim(1, 1, 1)]));
    }

    [Fact]
    public void Claim_should_flag_a_copy_without_forgetting_anything_when_the_store_is_full()
    {
        var store = new InMemoryDedupeStore(3, TimeSpan.FromHours(1), _clock);
        store.Claim([Claim(1, 0, 1), Claim(2, 0, 2), Claim(3, 0, 3)]);

        Assert.Equal([true, false], store.Claim([Claim(1, 1, 1), Claim(1, 0, 1)]));
        Assert.Equal(3, store.Count);
        Assert.Equal([true, true, true], store.Claim([Claim(1, 1, 1), Claim(2, 1, 2), Claim(3, 1, 3)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Claim_should_decide_as_a_map_with_a_claim_order_queue_does_under_random_churn(int seed)
    {
        // The store's own index (open addressing, backward-shift removal, growth by doubling) against the plain
        // definition: a map from id to its first claim, forgetting in claim order at the TTL or when full.
        var random = new Random(seed);
        var ttl = TimeSpan.FromSeconds(30);
        var store = new InMemoryDedupeStore(capacity: 1500, ttl, _clock);
        var owners = new Dictionary<Guid, (int Partition, long Offset)>();
        // Expiry in whole seconds since the store was made, as the store keeps it.
        var order = new Queue<(Guid Id, long ExpiresAt)>();
        var pool = Enumerable.Range(0, 4000).Select(_ => Guid.NewGuid()).ToArray();
        for (var round = 0; round < 400; round++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 400)));
            var now = (long)(_clock.GetUtcNow() - Start).TotalSeconds;
            while (order.TryPeek(out var head) && head.ExpiresAt <= now) owners.Remove(order.Dequeue().Id);

            var claims = new DedupeClaim[random.Next(1, 64)];
            var expected = new bool[claims.Length];
            for (var i = 0; i < claims.Length; i++)
            {
                var id = pool[random.Next(pool.Length)];
                claims[i] = new DedupeClaim(id, "transactions", random.Next(2), random.Next(3));
                if (owners.TryGetValue(id, out var owner))
                {
                    expected[i] = owner != (claims[i].Partition, claims[i].Offset);
                    continue;
                }

                if (owners.Count == 1500) owners.Remove(order.Dequeue().Id);
                owners[id] = (claims[i].Partition, claims[i].Offset);
                order.Enqueue((id, now + (long)ttl.TotalSeconds));
            }

            Assert.Equal(expected, store.Claim(claims));
            Assert.Equal(owners.Count, store.Count);
        }
    }

    [Fact]
    public void Store_should_need_at_most_80_bytes_per_remembered_id_when_holding_200000_ids()
    {
        const int ids = 200_000;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new InMemoryDedupeStore(ids, TimeSpan.FromHours(1), _clock);
        var claims = new DedupeClaim[1000];
        for (var i = 0; i < ids; i += claims.Length)
        {
            // Each record's topic arrives as its own string, as from Kafka.
            for (var j = 0; j < claims.Length; j++) claims[j] = new DedupeClaim(Guid.NewGuid(), new string("transactions".AsSpan()), j % 4, i + j);
            store.Claim(claims);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perId = (after - before) / (double)ids;
        output.WriteLine($"in-memory dedupe store: {perId:F1} bytes per id at {ids} ids");

        Assert.Equal(ids, store.Count);
        Assert.InRange(perId, 1, 80);
        GC.KeepAlive(store);
    }

    private static DedupeClaim Claim(int id, int partition, long offset) => new(Guid.Parse(IngestTestData.Id(id)), "transactions", partition, offset);

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
