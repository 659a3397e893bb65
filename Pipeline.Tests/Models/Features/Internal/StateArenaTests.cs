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
}
