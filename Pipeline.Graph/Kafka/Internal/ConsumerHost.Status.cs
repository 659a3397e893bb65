using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>The status snapshot: counters any thread may read, a partition table the poll thread republishes.</summary>
internal sealed partial class ConsumerHost<TKey, TValue>
{
    // Positions and watermarks are local calls, but rebuilding the table on every poll at full
    // speed is waste; transitions (assign, revoke, pause, resume) refresh it at once, stored and
    // committed offsets with the next periodic refresh.
    private static readonly TimeSpan StatusRefreshInterval = TimeSpan.FromMilliseconds(200);

    private volatile ConsumerStatus _status;
    private int _state = (int)ConsumerState.Starting;
    private long _lastPollTicks;
    private long _lastRecordTicks;
    private long _commitErrorCount;
    private long _staleOffsetsSkipped;
    private long _errorCount;
    private volatile string? _lastError;
    private bool _statusDirty;
    private DateTime _nextStatusAt;

    public ConsumerStatus Status()
    {
        var snapshot = _status;
        return snapshot with
        {
            State = (ConsumerState)Volatile.Read(ref _state),
            BufferDepth = Math.Max(0, Volatile.Read(ref _depth)),
            LastPollAt = FromTicks(Volatile.Read(ref _lastPollTicks)),
            LastRecordAt = FromTicks(Volatile.Read(ref _lastRecordTicks)),
            CommitErrorCount = Interlocked.Read(ref _commitErrorCount),
            StaleOffsetsSkipped = Interlocked.Read(ref _staleOffsetsSkipped),
            ErrorCount = Interlocked.Read(ref _errorCount),
            LastError = _lastError,
        };
    }

    private ConsumerStatus InitialStatus() => new(
        GroupId,
        null,
        _subscription.Describe(),
        ConsumerState.Starting,
        _settings.CommitMode,
        [],
        [],
        0,
        _settings.BufferSize,
        false,
        null,
        null,
        0,
        0,
        0,
        null);

    private void RefreshStatus(bool force)
    {
        var now = DateTime.UtcNow;
        if (!force && !_statusDirty && now < _nextStatusAt) return;
        _statusDirty = false;
        _nextStatusAt = now + StatusRefreshInterval;
        var partitions = new List<PartitionStatus>(_owned.Count);
        foreach (var (tp, epoch) in _owned.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition.Value))
        {
            long? position = null, high = null;
            if (_consumer is not null && !_closed)
            {
                try
                {
                    var p = _consumer.Position(tp);
                    if (!p.IsSpecial) position = p.Value;
                    var w = _consumer.GetWatermarkOffsets(tp);
                    if (w is not null && !w.High.IsSpecial) high = w.High.Value;
                }
                catch (KafkaException)
                {
                    // Mid-rebalance the client may not know the partition yet; report unknowns.
                }
            }

            partitions.Add(new PartitionStatus(
                tp,
                epoch,
                _paused.Contains(tp),
                position,
                _stored.TryGetValue(tp, out var stored) ? stored : null,
                _committed.TryGetValue(tp, out var committed) ? committed : null,
                high,
                high is { } h && position is { } pos ? Math.Max(0, h - pos) : null));
        }

        string? memberId = null;
        try
        {
            memberId = _consumer is not null && !_closed ? _consumer.MemberId : _status.MemberId;
        }
        catch (ObjectDisposedException)
        {
            memberId = _status.MemberId;
        }

        _status = _status with
        {
            MemberId = string.IsNullOrEmpty(memberId) ? null : memberId,
            Partitions = partitions,
            PausedPartitions = _paused.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).ToArray(),
            Backpressured = _backpressured,
        };
    }

    private static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
