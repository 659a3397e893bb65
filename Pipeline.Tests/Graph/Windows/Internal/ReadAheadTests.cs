using Pipeline.Graph.Windows.Internal;
using Pipeline.Models.Features;
using Pipeline.Tests.Models.Features;
using Xunit;
using static Pipeline.Tests.Graph.Windows.WindowsTestKit;

namespace Pipeline.Tests.Graph.Windows.Internal;

public sealed class ReadAheadTests
{
    private readonly FakeConsumer _consumer = new();

    [Fact]
    public void ReadAhead_should_give_back_transactions_in_arrival_order_with_their_places_when_held_and_taken_in_turns()
    {
        var accounts = new AccountTable();
        var known = new AccountSlot("acct-3") { State = new AccountState(FeatureTestData.Options()) };
        accounts.Add(known);
        var ahead = new ReadAhead(accounts);
        var taken = new List<(long Offset, long Sequence, int Hash)>();
        var knownStatesNoted = 0;

        // As the stage uses it: hold up to Depth + 1, then take the oldest for every new one; at the end take the rest.
        for (var i = 0; i < 100; i++)
        {
            var accepted = Accepted(_consumer, i, "acct-" + (i % 7), FeatureTestData.Start.AddSeconds(i), 1);
            ahead.Add(accepted, sequence: 1000 + i);
            if (ahead.Count > ReadAhead.Depth) Take();
        }

        while (ahead.Count > 0) Take();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), taken.Select(t => t.Offset));
        Assert.Equal(Enumerable.Range(1000, 100).Select(i => (long)i), taken.Select(t => t.Sequence));
        Assert.All(taken, t => Assert.Equal(AccountTable.HashOf("acct-" + (t.Offset % 7)), t.Hash));
        Assert.True(knownStatesNoted >= 10, $"{knownStatesNoted} of the known account's transactions had its state noted");

        void Take()
        {
            var held = ahead.TakeOldest();
            taken.Add((held.Transaction.Offset.Offset, held.Sequence, held.Hash));
            if (held.Transaction.Transaction.AccountId != known.Id)
            {
                Assert.Null(held.State); // an account not in memory has nothing to prefetch
            }
            else if (held.State is not null)
            {
                Assert.Same(known.State, held.State);
                knownStatesNoted++;
            }
        }
    }
}
