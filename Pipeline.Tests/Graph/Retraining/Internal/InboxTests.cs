using Pipeline.Graph.Retraining.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Retraining.Internal;

public sealed class InboxTests
{
    [Fact]
    public void Inbox_should_never_strand_a_message_posted_while_the_stage_attaches_and_drains()
    {
        // The stage attaches its wake-up and then drains; a message posted from another thread at that
        // very moment must be seen by the drain or wake the stage. A stranded one was a shadow that
        // never began.
        const int rounds = 50_000;
        var stranded = 0;
        using var go = new Barrier(2);
        for (var round = 0; round < rounds; round++)
        {
            var inbox = new Inbox<int>();
            var seen = 0;

            // A fresh thread per round: its start-up jitter spreads the post across the attach and the
            // drain far better than a warm spinning thread does.
            var poster = new Thread(() =>
            {
                go.SignalAndWait();
                inbox.Post(1);
            });
            poster.Start();
            go.SignalAndWait();
            inbox.Attach(_ => Interlocked.Increment(ref seen));
            while (inbox.TryTake(out _)) Interlocked.Increment(ref seen);
            poster.Join();
            if (Volatile.Read(ref seen) == 0) stranded++;
        }

        Assert.Equal(0, stranded);
    }
}
