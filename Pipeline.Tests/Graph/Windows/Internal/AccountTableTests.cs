using Pipeline.Graph.Windows.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Windows.Internal;

public sealed class AccountTableTests
{
    [Fact]
    public void AccountTable_should_find_exactly_the_accounts_a_dictionary_holds_when_accounts_come_and_go_at_random()
    {
        var random = new Random(5);
        var table = new AccountTable();
        var expected = new Dictionary<string, AccountSlot>(StringComparer.Ordinal);

        for (var step = 0; step < 20_000; step++)
        {
            // A small id space makes long probe runs, growth and removals inside runs all common.
            var id = "acct-" + random.Next(3_000);
            if (expected.Remove(id, out var slot))
            {
                Assert.True(table.Remove(new string(id.AsSpan())));
            }
            else
            {
                slot = new AccountSlot(id);
                expected.Add(id, slot);
                table.Add(slot);
            }

            if (step % 997 == 0) AssertSame(expected, table);
        }

        AssertSame(expected, table);
        Assert.False(table.Remove("acct-never"));
    }

    [Fact]
    public void AccountTable_should_find_the_same_slots_by_a_precomputed_hash_when_lookups_are_prefetched()
    {
        var table = new AccountTable();
        var slots = Enumerable.Range(0, 5_000).Select(i => new AccountSlot("acct-" + i)).ToList();
        foreach (var slot in slots.Where((_, i) => i % 2 == 0)) table.Add(slot);

        for (var i = 0; i < slots.Count; i++)
        {
            var id = "acct-" + i;
            var hash = AccountTable.HashOf(id);
            table.PrefetchEntry(hash);
            table.PrefetchSlot(hash);

            var found = table.TryGetValue(id, hash, out var slot);

            Assert.Equal(i % 2 == 0, found);
            if (found) Assert.Same(slots[i], slot);
        }
    }

    private static void AssertSame(Dictionary<string, AccountSlot> expected, AccountTable table)
    {
        Assert.Equal(expected.Count, table.Count);
        for (var i = 0; i < 3_000; i++)
        {
            var id = "acct-" + i;
            var found = table.TryGetValue(id, out var slot);
            Assert.Equal(expected.TryGetValue(id, out var want), found);
            if (found) Assert.Same(want, slot);
        }

        Assert.Equal(expected.Values.Select(s => s.Id).Order(StringComparer.Ordinal), table.Values.Select(s => s.Id).Order(StringComparer.Ordinal));
    }
}
