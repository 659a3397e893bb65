using Pipeline.Graph.Windows;
using Pipeline.Graph.Windows.Internal;
using Pipeline.Models.Features;
using Pipeline.Tests.Models.Features;
using Xunit;

namespace Pipeline.Tests.Graph.Windows;

public sealed class InMemoryFeatureStateStoreTests
{
    [Fact]
    public async Task SaveAsync_should_keep_its_own_copy_when_the_caller_reuses_the_buffer_of_its_checkpoints()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        byte[] buffer = [7, 1, 2, 3, 4, 5];

        await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 1), buffer.AsMemory(1, 3)), new FeatureCheckpoint("b", new RecordPosition("t", 0, 2), buffer.AsMemory(4, 2))], CancellationToken.None);
        buffer.AsSpan().Fill(0);
        await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 3), new byte[] { 8, 8, 8, 8, 8 })], CancellationToken.None); // outgrows a's buffer
        var loaded = await store.LoadAsync(["a", "b", "c"], CancellationToken.None);

        Assert.Equal([8, 8, 8, 8, 8], loaded[0]);
        Assert.Equal([4, 5], loaded[1]);
        Assert.Null(loaded[2]);
    }

    [Fact]
    public async Task SaveAsync_should_refuse_an_older_checkpoint_of_the_same_partition_and_forget_accounts_after_the_ttl()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var store = new InMemoryFeatureStateStore(TimeSpan.FromMinutes(10), clock);
        await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 10), new byte[] { 10 })], CancellationToken.None);

        var stale = await store.SaveAsync([new FeatureCheckpoint("a", new RecordPosition("t", 0, 9), new byte[] { 9, 9 })], CancellationToken.None);
        var afterStale = (await store.LoadAsync(["a"], CancellationToken.None))[0];
        clock.Advance(TimeSpan.FromMinutes(11));
        var afterTtl = (await store.LoadAsync(["a"], CancellationToken.None))[0];

        Assert.Equal(1, stale);
        Assert.Equal([10], afterStale);
        Assert.Null(afterTtl);
    }

    [Fact]
    public async Task Keep_should_serve_a_handed_over_state_as_its_snapshot_and_refuse_one_older_than_the_stored_checkpoint()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var state = new AccountState(FeatureTestData.Options());
        state.Process(FeatureTestData.Tx(FeatureTestData.Start, 12.5), new RecordPosition("t", 0, 10));
        var older = new AccountState(FeatureTestData.Options());
        older.Process(FeatureTestData.Tx(FeatureTestData.Start, 99), new RecordPosition("t", 0, 9));

        var kept = store.Keep([("a", state)]);
        var stale = store.Keep([("a", older)]);
        var loaded = await store.LoadAsync(["a"], CancellationToken.None);

        Assert.Equal(0, kept);
        Assert.Equal(1, stale);
        Assert.Equal(state.ToBytes(), loaded[0]);
    }

    [Fact]
    public void TryReadNow_should_answer_at_once_only_when_no_other_flow_may_hold_the_account_unwritten()
    {
        var store = new InMemoryFeatureStateStore(TimeSpan.FromDays(1), TimeProvider.System);
        var mine = new AccountHandover(() => { });
        var other = new AccountHandover(() => { });
        store.Register(mine);

        var alone = store.TryReadNow("a", mine, out var missing);
        store.Register(other);
        var shared = store.TryReadNow("a", mine, out _);

        Assert.True(alone);
        Assert.Null(missing);
        Assert.False(shared);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
