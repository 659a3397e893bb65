using Pipeline.Models.Domain;

namespace Pipeline.Host.Producing;

/// <summary>
/// Holds labels until their due time passes in event time. The watermark is the latest event time produced so
/// far; a label whose <see cref="TransactionLabel.LabelledAt"/> is at or before it is due. A min-heap keyed by
/// (due time, arrival order) keeps release order stable for labels due at the same instant.
/// </summary>
internal sealed class LabelSchedule
{
    private readonly PriorityQueue<Entry, (DateTimeOffset Due, long Sequence)> _heap = new();
    private long _sequence;

    /// <summary>Labels waiting to become due.</summary>
    public int Count => _heap.Count;

    /// <summary>The latest event time seen by <see cref="Advance"/>.</summary>
    public DateTimeOffset Watermark { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>Schedules <paramref name="label"/>, keyed by <paramref name="accountId"/> when sent.</summary>
    public void Add(string accountId, TransactionLabel label) =>
        _heap.Enqueue(new Entry(accountId, label), (label.LabelledAt, _sequence++));

    /// <summary>Moves the watermark forward to <paramref name="eventTime"/>; it never moves back.</summary>
    public void Advance(DateTimeOffset eventTime)
    {
        if (eventTime > Watermark) Watermark = eventTime;
    }

    /// <summary>Takes the earliest label when it is due at the current watermark.</summary>
    public bool TryTakeDue(out Entry entry)
    {
        if (_heap.TryPeek(out entry, out var key) && key.Due <= Watermark)
        {
            _heap.Dequeue();
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Takes the earliest label whether due or not; used to drain the schedule once the scenario ends.</summary>
    public bool TryTakeNext(out Entry entry) => _heap.TryDequeue(out entry, out _);

    /// <summary>A scheduled label and the account it belongs to (the Kafka key).</summary>
    internal readonly record struct Entry(string AccountId, TransactionLabel Label);
}
