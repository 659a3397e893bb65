using Pipeline.Models.Features.Internal;
using Xunit;

namespace Pipeline.Tests.Models.Features.Internal;

public sealed class StateArenaTests
{
    [Fact]
    public void Segments_should_keep_their_contents_when_their_neighbours_grow_shrink_and_the_array_is_reallocated()
    {
        var random = new Random(17);
        var arena = new StateArena(windows: 3);
        var known = new[] { new Dictionary<ulong, long>(), new Dictionary<ulong, long>(), new Dictionary<ulong, long>() };
        var buckets = new[] { new SortedDictionary<long, (int Count, double Sum)>(), new SortedDictionary<long, (int Count, double Sum)>(), new SortedDictionary<long, (int Count, double Sum)>() };
        var firstRetained = new long[3];

        for (var step = 0; step < 5_000; step++)
        {
            if (random.Next(2) == 0)
            {
                var set = random.Next(3);
                var hash = (ulong)random.Next(200);
                var time = (long)step;
                var wasKnown = KnownSet.Touch(ref arena, set, hash, time, capacity: 1024);
                Assert.Equal(known[set].ContainsKey(hash), wasKnown);
                known[set][hash] = time;
            }
            else
            {
                var window = random.Next(3);
                // Mostly moving forward, sometimes far enough to evict most buckets at once.
                if (random.Next(40) == 0) firstRetained[window] += random.Next(1, 60);
                var index = firstRetained[window] + random.Next(-2, 60);
                double amount = random.Next(1, 100);
                BucketList.Apply(ref arena, window, index, amount, firstRetained[window]);
                foreach (var old in buckets[window].Keys.Where(k => k < firstRetained[window]).ToList()) buckets[window].Remove(old);
                if (index >= firstRetained[window])
                {
                    buckets[window][index] = buckets[window].TryGetValue(index, out var b) ? (b.Count + 1, b.Sum + amount) : (1, amount);
                }
            }

            for (var s = 0; s < 3; s++)
            {
                Assert.Equal(known[s].OrderBy(e => e.Key), arena.Known(s).ToArray().Select(e => new KeyValuePair<ulong, long>(e.Hash, e.LastSeenMs)).OrderBy(e => e.Key));
                Assert.Equal(buckets[s].Select(b => (b.Key, b.Value.Count, b.Value.Sum)), arena.Buckets(s).ToArray().Select(b => (b.Index, b.Count, b.Sum)));
            }
        }
    }

    [Fact]
    public void A_window_sliding_one_bucket_per_event_should_keep_its_buckets_and_a_bounded_array_without_reallocating()
    {
        // A busy account's shortest window: every event opens a bucket and evicts the oldest, 60 live.
        var arena = new StateArena(windows: 3);
        for (var index = 0L; index < 60; index++) BucketList.Apply(ref arena, 0, index, 1, firstRetained: 0);
        var settled = arena.AllocatedBytes;

        for (var index = 60L; index < 20_000; index++)
        {
            BucketList.Apply(ref arena, 0, index, index, firstRetained: index - 59);
            Assert.Equal(settled, arena.AllocatedBytes);
        }

        var live = arena.Buckets(0).ToArray();
        Assert.Equal(Enumerable.Range(19_940, 60).Select(i => (long)i), live.Select(b => b.Index));
        Assert.All(live, b => Assert.Equal(b.Index, b.Sum));
        Assert.True(settled < 60 * 28 * 2 + 1024, $"{settled} bytes for 60 buckets");
    }

    [Fact]
    public void A_window_emptied_by_a_long_pause_should_give_its_room_back()
    {
        var arena = new StateArena(windows: 3);
        for (var index = 0L; index < 2_000; index++) BucketList.Apply(ref arena, 1, index, 1, firstRetained: 0);
        var busy = arena.AllocatedBytes;

        // The account goes quiet for longer than the window: its next event evicts every bucket.
        BucketList.Apply(ref arena, 1, 1_000_000, 5, firstRetained: 1_000_000 - 59);

        Assert.Equal(1, arena.Buckets(1).Length);
        Assert.True(arena.AllocatedBytes < busy / 4, $"{arena.AllocatedBytes} bytes kept of {busy}");
    }
}
