using System.Diagnostics;
using Akka.Event;
using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>Polling, backpressure by pause/resume, and rebalance handling (all on the poll thread).</summary>
internal sealed partial class ConsumerHost<TKey, TValue>
{
    private readonly Dictionary<TopicPartition, int> _owned = new();
    private readonly HashSet<TopicPartition> _paused = new();
    private readonly HashSet<string> _reportedConsumeErrors = new(StringComparer.Ordinal);
    // Not disposed: the stage may still call Release after the poll thread ended, and an event
    // that never handed out its WaitHandle holds no kernel resources.
    private readonly ManualResetEventSlim _roomSignal = new(false);
    private int _lastEpoch;
    private bool _backpressured;
    private bool _flowDirty;
    private int _waitingForRoom;
    private long? _fullSince;
    private const int MaxReusedPartition = 4096;
    private TopicPartition?[] _partitions = new TopicPartition?[64];

    /// <summary>
    /// One poll step. A full buffer first makes the thread wait for room (woken by the stage)
    /// without taking records; only when it stays full for <c>backpressure-pause-delay</c> are
    /// the partitions paused (see <see cref="ApplyFlowControl"/>), so short bursts cost nothing
    /// while a stalled stream still lets the consumer poll and serve rebalances.
    /// </summary>
    private void PollStep()
    {
        var depth = Volatile.Read(ref _depth);
        if (depth >= _settings.BufferSize && !_backpressured && !_stopRequested)
        {
            _fullSince ??= Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(_fullSince.Value) < _settings.BackpressurePauseDelay)
            {
                WaitForRoom();
                return;
            }
        }
        else if (depth < _settings.BufferSize)
        {
            _fullSince = null;
        }

        ApplyFlowControl();
        Poll();
    }

    private void WaitForRoom()
    {
        _roomSignal.Reset();
        // A full fence, not a volatile write: a Release or a command racing this must either see the
        // flag or be seen by the checks below. With a plain write each side's write may pass its own
        // later read, both miss, and the thread sleeps a whole poll-timeout beside a pending commit.
        Interlocked.Exchange(ref _waitingForRoom, 1);
        if (Volatile.Read(ref _depth) >= _settings.BufferSize && _commands.IsEmpty) _roomSignal.Wait(_settings.PollTimeout);
        Volatile.Write(ref _waitingForRoom, 0);
    }

    private void WakeForCommand()
    {
        if (Volatile.Read(ref _waitingForRoom) == 1) _roomSignal.Set();
    }

    /// <summary>The stage emitted or dropped <paramref name="count"/> records.</summary>
    internal void Release(int count)
    {
        if (count <= 0) return;
        var depth = Interlocked.Add(ref _depth, -count);
        // Wake the waiting poll thread once a quarter of the buffer is free, not on every record.
        if (Volatile.Read(ref _waitingForRoom) == 1 && depth <= _settings.BufferSize - Math.Max(1, _settings.BufferSize / 4)) _roomSignal.Set();
    }

    private void Poll()
    {
        var room = _settings.BufferSize - Volatile.Read(ref _depth);
        var timeout = _settings.PollTimeout;
        List<ConsumedRecord<TKey, TValue>>? batch = null;
        while (true)
        {
            ConsumeResult<TKey, TValue>? result;
            try
            {
                result = _consumer!.Consume(timeout);
            }
            catch (ConsumeException ex)
            {
                OnConsumeError(ex);
                break;
            }

            // Partitions assigned inside that Consume can only be paused now (Pause throws inside the handler).
            if (_flowDirty) ApplyFlowControl();
            if (result is null) break;
            if (result.IsPartitionEOF) continue;

            // After Stop nothing more is emitted; the record was not stored, so it is read again later.
            if (_stopRequested) continue;

            var count = batch?.Count ?? 0;
            if (count >= room && SeekBack(result)) break;

            var partition = PartitionOf(result);
            if (!_owned.TryGetValue(partition, out var epoch)) epoch = Adopt(partition);
            (batch ??= new List<ConsumedRecord<TKey, TValue>>(Math.Min(Math.Max(room, 1), 256))).Add(new ConsumedRecord<TKey, TValue>(result, epoch, partition));
            if (batch.Count >= room) break;
            timeout = TimeSpan.Zero;
        }

        // Once per poll, not per record: the loop above ends within poll-timeout or at buffer room.
        var now = DateTimeOffset.UtcNow.UtcTicks;
        Volatile.Write(ref _lastPollTicks, now);
        if (batch is { Count: > 0 })
        {
            Volatile.Write(ref _lastRecordTicks, now);
            Interlocked.Add(ref _depth, batch.Count);
            _reportedConsumeErrors.Clear();
            Send(new HostEvent.RecordsArrived<TKey, TValue>(batch));
        }
    }

    // One TopicPartition per partition number, reused for every record of it: the source, the stage and the
    // offset each needed one, and ConsumeResult.TopicPartition allocates a new one on every read. Partitions
    // of two topics that share a number take turns in the slot (correct, merely not reused then).
    private TopicPartition PartitionOf(ConsumeResult<TKey, TValue> result)
    {
        var number = result.Partition.Value;
        if ((uint)number < (uint)_partitions.Length && _partitions[number] is { } cached && string.Equals(cached.Topic, result.Topic, StringComparison.Ordinal))
        {
            return cached;
        }

        var partition = result.TopicPartition;
        if (number is >= 0 and < MaxReusedPartition)
        {
            if (number >= _partitions.Length) Array.Resize(ref _partitions, Math.Min(MaxReusedPartition, Math.Max(number + 1, _partitions.Length * 2)));
            _partitions[number] = partition;
        }

        return partition;
    }

    // A record that arrives with the buffer full (librdkafka purges prefetched data on pause, so
    // only a partition assigned in the same Consume can do this) is not buffered: seek back so it
    // is fetched again after resume, keeping the buffer within its bound. If the seek fails the
    // record is buffered anyway: exceeding the bound by one beats losing a record.
    private bool SeekBack(ConsumeResult<TKey, TValue> result)
    {
        try
        {
            _consumer!.Seek(result.TopicPartitionOffset);
            _flowDirty = true;
            _log.Debug("Kafka consumer of group {GroupId}: buffer full, {TopicPartitionOffset} will be read again after resume", GroupId, result.TopicPartitionOffset);
            return true;
        }
        catch (KafkaException ex)
        {
            _log.Warning("Kafka consumer of group {GroupId}: buffer full and seek back to {TopicPartitionOffset} failed ({Error}); buffering it beyond buffer-size", GroupId, result.TopicPartitionOffset, ex.Error.Reason);
            return false;
        }
    }

    /// <summary>
    /// Pauses every owned partition when the buffer reaches <c>buffer-size</c> (or the source
    /// stopped) and resumes them when it drains to half. Pause and Resume are called only on
    /// transitions of our own paused set: resuming a running partition used to reset its position.
    /// </summary>
    private void ApplyFlowControl()
    {
        _flowDirty = false;
        var depth = Volatile.Read(ref _depth);
        var capacity = _settings.BufferSize;
        if (!_backpressured && depth >= capacity)
        {
            _backpressured = true;
            _log.Debug("Kafka consumer of group {GroupId}: buffer full ({Depth}/{Capacity}), pausing {Count} partitions", GroupId, depth, capacity, _owned.Count);
        }
        else if (_backpressured && depth <= capacity / 2)
        {
            _backpressured = false;
            _log.Debug("Kafka consumer of group {GroupId}: buffer drained ({Depth}/{Capacity}), resuming {Count} partitions", GroupId, depth, capacity, _paused.Count);
        }

        // Pause only when fetching must stop: a resume costs librdkafka a refetch.
        var pauseAll = _backpressured || _stopRequested;
        var toPause = pauseAll ? _owned.Keys.Where(tp => !_paused.Contains(tp)).ToList() : [];
        var toResume = pauseAll ? [] : _paused.Where(_owned.ContainsKey).ToList();
        try
        {
            if (toPause.Count > 0)
            {
                _consumer!.Pause(toPause);
                _paused.UnionWith(toPause);
                _statusDirty = true;
            }

            if (toResume.Count > 0)
            {
                _consumer!.Resume(toResume);
                _paused.ExceptWith(toResume);
                _statusDirty = true;
            }
        }
        catch (KafkaException ex)
        {
            // A partition mid-rebalance can refuse; try again after the next Consume.
            _flowDirty = true;
            _log.Debug("Kafka consumer of group {GroupId}: pause/resume deferred: {Error}", GroupId, ex.Error.Reason);
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        // Cooperative assignors pass only the added partitions, eager ones the full list: the delta
        // against our own owned set is right for both.
        var added = new List<KeyValuePair<TopicPartition, int>>();
        foreach (var tp in partitions)
        {
            if (_owned.ContainsKey(tp)) continue;
            var epoch = ++_lastEpoch;
            _owned[tp] = epoch;
            added.Add(new KeyValuePair<TopicPartition, int>(tp, epoch));
        }

        if (added.Count == 0) return;
        _flowDirty = true;
        _statusDirty = true;
        _log.Info(
            "Kafka consumer of group {GroupId}: assigned {Partitions}; owns {OwnedCount} partitions",
            GroupId,
            string.Join(", ", added.Select(a => $"{a.Key}#{a.Value}")),
            _owned.Count);
        Send(new HostEvent.Assigned(added));
    }

    private void OnRevoked(List<TopicPartitionOffset> partitions, bool lost)
    {
        var removed = partitions.Select(p => p.TopicPartition).Where(_owned.ContainsKey).Distinct().ToList();
        if (removed.Count == 0) return;
        if (!lost)
        {
            // Offsets already queued for these partitions are still ours to store or commit; after
            // this callback returns, librdkafka commits stored offsets of revoked partitions itself.
            DrainCommitsOnly();
            if (_settings.CommitMode == CommitMode.Synchronous) CommitPending();
        }

        foreach (var tp in removed)
        {
            _owned.Remove(tp);
            _paused.Remove(tp);
            _stored.Remove(tp);
            _committed.Remove(tp);
        }

        _statusDirty = true;
        _log.Info(
            "Kafka consumer of group {GroupId}: {Change} {Partitions}; their buffered records are dropped and later commits for them skipped; owns {OwnedCount} partitions",
            GroupId,
            lost ? "lost" : "revoked",
            string.Join(", ", removed),
            _owned.Count);
        Send(new HostEvent.Revoked(removed));
    }

    private int Adopt(TopicPartition tp)
    {
        // librdkafka returned a record of a partition our bookkeeping does not list. It is ours
        // (the client only fetches assigned partitions): own it rather than drop or throw.
        var epoch = ++_lastEpoch;
        _owned[tp] = epoch;
        _flowDirty = true;
        _log.Warning("Kafka consumer of group {GroupId}: record of unlisted partition {TopicPartition}; adopting it with epoch {Epoch}", GroupId, tp, epoch);
        Send(new HostEvent.Assigned([new KeyValuePair<TopicPartition, int>(tp, epoch)]));
        return epoch;
    }

    private bool IsCurrent(OffsetToCommit offset) =>
        _owned.TryGetValue(offset.TopicPartition, out var epoch) && epoch == offset.Epoch;

    private void OnConsumeError(ConsumeException ex)
    {
        var error = ex.Error;
        Interlocked.Increment(ref _errorCount);
        _lastError = $"{error.Code}: {error.Reason}";
        if (error.Code is ErrorCode.Local_KeyDeserialization or ErrorCode.Local_ValueDeserialization)
        {
            var part = error.Code == ErrorCode.Local_KeyDeserialization ? "key" : "value";
            throw new KafkaConsumerException(
                $"could not deserialize the {part} of the record at {ex.ConsumerRecord?.TopicPartitionOffset}: {ex.InnerException?.Message ?? error.Reason}. " +
                "Consume bytes and decode inside the stream to quarantine bad records instead of failing",
                ex);
        }

        if (error.IsFatal || error.Code is ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed
                or ErrorCode.ClusterAuthorizationFailed or ErrorCode.SaslAuthenticationFailed or ErrorCode.Local_Authentication)
        {
            throw new KafkaConsumerException($"the Kafka consumer of group '{GroupId}' cannot continue: {error.Code}: {error.Reason}", ex);
        }

        // Unknown topics or partitions are transient (created later, metadata not propagated yet):
        // warn once per distinct error until records flow again, keep polling.
        if (_reportedConsumeErrors.Add($"{error.Code}:{error.Reason}"))
        {
            _log.Warning("Kafka consumer of group {GroupId}: {ErrorCode} {Reason}; still polling", GroupId, error.Code, error.Reason);
        }
    }
}
