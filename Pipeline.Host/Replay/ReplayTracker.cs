using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;

namespace Pipeline.Host.Replay;

/// <summary>
/// Counts a replay's progress and decides when it reached the end offsets captured at start. A
/// partition is done when a record at or past its last offset arrived, or — when the last offsets
/// hold no record (transaction markers, compaction) — when the consumer's position passed the end
/// and nothing is left in its buffer. Thread-safe: the source, the stream and the watchdog call it.
/// </summary>
internal sealed class ReplayTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<TopicPartition, long> _lastSeen = [];
    private TaskCompletionSource _consumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyDictionary<TopicPartition, long>? _ends;
    private long _read;
    private long _readBytes;
    private long _scored;
    private long _anomalies;
    private long _quarantined;
    private long _duplicates;

    /// <summary>Creates a tracker; <paramref name="ends"/> may be set later (a file source knows them only when it was fed).</summary>
    public ReplayTracker(IReadOnlyDictionary<TopicPartition, long>? ends) => _ends = ends;

    public long Read => Interlocked.Read(ref _read);

    public long ReadBytes => Interlocked.Read(ref _readBytes);

    public long Scored => Interlocked.Read(ref _scored);

    public long Anomalies => Interlocked.Read(ref _anomalies);

    public long Quarantined => Interlocked.Read(ref _quarantined);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>The end offsets, once known.</summary>
    public void SetEnds(IReadOnlyDictionary<TopicPartition, long> ends)
    {
        lock (_gate) _ends = ends;
    }

    /// <summary>Notes a record from the source; true when it lies before its partition's end (records past it are dropped).</summary>
    public bool Admit(ConsumeResult<string, byte[]> record)
    {
        TaskCompletionSource consumed;
        bool admit;
        lock (_gate)
        {
            _lastSeen[record.TopicPartition] = record.Offset.Value;
            admit = _ends is null || !_ends.TryGetValue(record.TopicPartition, out var end) || record.Offset.Value < end;
            if (admit)
            {
                Interlocked.Increment(ref _read);
                Interlocked.Add(ref _readBytes, record.Message.Value?.Length ?? 0);
            }

            // Counted before the swap: a waiter that took the old task and then read the counts cannot miss this record.
            consumed = _consumed;
            _consumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        consumed.TrySetResult();
        return admit;
    }

    /// <summary>Completes when the next record arrives from the source.</summary>
    public Task NextRecordAsync()
    {
        lock (_gate) return _consumed.Task;
    }

    /// <summary>Counts what became of an element after scoring.</summary>
    public PipelineElement Count(PipelineElement element)
    {
        switch (element)
        {
            case ScoredElement s:
                Interlocked.Increment(ref _scored);
                if (s.Scored.IsAnomaly) Interlocked.Increment(ref _anomalies);
                break;
            case QuarantinedRecord:
                Interlocked.Increment(ref _quarantined);
                break;
            case SkippedRecord:
                Interlocked.Increment(ref _duplicates);
                break;
        }

        return element;
    }

    /// <summary>Counts a record quarantined without passing through the stream (a file line too large for the broker).</summary>
    public void CountQuarantinedDirectly()
    {
        Interlocked.Increment(ref _read);
        Interlocked.Increment(ref _quarantined);
    }

    /// <summary>True when every partition reached its end offset.</summary>
    public bool ReachedEnd(ConsumerStatus? status)
    {
        lock (_gate)
        {
            if (_ends is null) return false;
            foreach (var (tp, end) in _ends)
            {
                if (_lastSeen.TryGetValue(tp, out var last) && last >= end - 1) continue;
                var position = status?.Partitions.FirstOrDefault(p => p.TopicPartition.Equals(tp))?.Position;
                if (status is { BufferDepth: 0 } && position >= end) continue;
                return false;
            }

            return true;
        }
    }
}
