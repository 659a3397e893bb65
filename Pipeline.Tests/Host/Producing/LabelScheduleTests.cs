using Pipeline.Host.Producing;
using Pipeline.Models.Domain;
using Xunit;

namespace Pipeline.Tests.Host.Producing;

public sealed class LabelScheduleTests
{
    private static readonly DateTimeOffset s_t0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryTakeDue_should_release_labels_in_due_order_once_the_watermark_reaches_them()
    {
        var schedule = new LabelSchedule();
        schedule.Add("a", Label("1", 30));
        schedule.Add("b", Label("2", 10));
        schedule.Add("c", Label("3", 20));

        schedule.Advance(s_t0.AddSeconds(20));
        var released = Drain(schedule);

        Assert.Equal(["2", "3"], released.Select(e => e.Label.TransactionId));
        Assert.Equal(["b", "c"], released.Select(e => e.AccountId));
        Assert.Equal(1, schedule.Count);
    }

    [Fact]
    public void TryTakeDue_should_release_nothing_when_the_watermark_is_before_every_due_time()
    {
        var schedule = new LabelSchedule();
        schedule.Add("a", Label("1", 30));

        schedule.Advance(s_t0.AddSeconds(29));

        Assert.Empty(Drain(schedule));
    }

    [Fact]
    public void Advance_should_never_move_the_watermark_back_when_an_event_is_late()
    {
        var schedule = new LabelSchedule();
        schedule.Add("a", Label("1", 15));

        schedule.Advance(s_t0.AddSeconds(20));
        schedule.Advance(s_t0.AddSeconds(5));

        Assert.Equal(s_t0.AddSeconds(20), schedule.Watermark);
        Assert.Single(Drain(schedule));
    }

    [Fact]
    public void TryTakeNext_should_keep_arrival_order_when_labels_are_due_at_the_same_instant()
    {
        var schedule = new LabelSchedule();
        foreach (var id in new[] { "x", "y", "z" }) schedule.Add(id, Label(id, 10));

        var order = new List<string>();
        while (schedule.TryTakeNext(out var e)) order.Add(e.Label.TransactionId);

        Assert.Equal(["x", "y", "z"], order);
    }

    private static TransactionLabel Label(string id, int dueSeconds) => new(id, false, s_t0.AddSeconds(dueSeconds));

    private static List<LabelSchedule.Entry> Drain(LabelSchedule schedule)
    {
        var list = new List<LabelSchedule.Entry>();
        while (schedule.TryTakeDue(out var e)) list.Add(e);
        return list;
    }
}
