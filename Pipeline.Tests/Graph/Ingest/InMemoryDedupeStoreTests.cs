using Pipeline.Graph.Ingest;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Ingest;

[Collection(ProcessMemoryCollection.Name)]
public sealed class InMemoryDedupeStoreTests(ITestOutputHelper output)
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));

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

    [Fact]
    public void Store_should_need_at_most_120_bytes_per_remembered_id_when_holding_200000_ids()
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
        Assert.InRange(perId, 1, 120);
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
