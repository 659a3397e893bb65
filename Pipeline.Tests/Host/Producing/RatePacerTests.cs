using Pipeline.Host.Producing;
using Xunit;

namespace Pipeline.Tests.Host.Producing;

public sealed class RatePacerTests
{
    [Fact]
    public void Next_should_hold_the_average_rate_when_the_sender_is_instant()
    {
        var pacer = new RatePacer(1000);
        var now = TimeSpan.Zero;

        for (var i = 0; i < 5000; i++) now += pacer.Next(now);

        // 5000 records at 1000/s: the last is due at 4.999 s; waits never overshoot the schedule.
        Assert.InRange(now.TotalSeconds, 4.99 - RatePacer.Slack.TotalSeconds, 4.999);
    }

    [Fact]
    public void Next_should_wait_only_in_coarse_steps_when_records_are_fast()
    {
        var pacer = new RatePacer(1000);
        var now = TimeSpan.Zero;
        var waits = new List<TimeSpan>();

        for (var i = 0; i < 1000; i++)
        {
            var wait = pacer.Next(now);
            if (wait > TimeSpan.Zero) waits.Add(wait);
            now += wait;
        }

        Assert.All(waits, w => Assert.True(w > RatePacer.Slack));
        Assert.True(waits.Count < 100, $"{waits.Count} waits");
    }

    [Fact]
    public void Next_should_never_wait_when_rate_is_unlimited()
    {
        var pacer = new RatePacer(0);

        var waits = Enumerable.Range(0, 1000).Select(_ => pacer.Next(TimeSpan.Zero));

        Assert.All(waits, w => Assert.Equal(TimeSpan.Zero, w));
    }

    [Fact]
    public void Next_should_catch_up_at_most_one_second_when_the_sender_stalled()
    {
        var pacer = new RatePacer(100);
        pacer.Next(TimeSpan.Zero);

        // A 10 s stall: only MaxLag worth of records (100) may go out without waiting.
        var now = TimeSpan.FromSeconds(10);
        var unpaced = 0;
        while (pacer.Next(now) == TimeSpan.Zero) unpaced++;

        Assert.InRange(unpaced, 100, 101 + (int)(RatePacer.Slack.TotalSeconds * 100));
    }

    [Fact]
    public void Constructor_should_reject_a_negative_rate()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RatePacer(-1));
    }
}
