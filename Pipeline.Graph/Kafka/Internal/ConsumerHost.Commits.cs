using Akka.Event;
using System.Diagnostics;
using Confluent.Kafka;
using Error = Confluent.Kafka.Error;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// Offset storing and committing on the poll thread. Only offsets of partitions owned in the
/// epoch their record was read under are stored or committed: the broker accepts commits from a
/// former owner, which would rewind the new owner's progress.
/// </summary>
internal sealed partial class ConsumerHost<TKey, TValue>
{
    private readonly Dictionary<TopicPartition, long> _stored = new();
    private readonly Dictionary<TopicPartition, long> _committed = new();
    private readonly Dictionary<TopicPartition, OffsetToCommit> _pending = new();
    private readonly List<HostCommand.Commit> _pendingWaiters = new();
    private DateTime? _commitFailingSince;

    private void ProcessCommit(HostCommand.Commit commit)
    {
        if (_settings.CommitMode == CommitMode.StoreAndAutoCommit) StoreOffsets(commit);
        else QueueForCommit(commit);
    }

    private void StoreOffsets(HostCommand.Commit commit)
    {
        var started = Stopwatch.GetTimestamp();
        int stored = 0, stale = 0;
        foreach (var offset in commit.Offsets)
        {
            if (!IsCurrent(offset))
            {
                stale++;
                continue;
            }

            if (_stored.TryGetValue(offset.TopicPartition, out var held) && held >= offset.NextOffset) continue;
            try
            {
                _consumer!.StoreOffset(new TopicPartitionOffset(offset.TopicPartition, offset.NextOffset));
                _stored[offset.TopicPartition] = offset.NextOffset;
                stored++;
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                // librdkafka no longer has the partition assigned: the same guard as our epochs.
                stale++;
            }
            catch (KafkaException ex)
            {
                Interlocked.Increment(ref _commitErrorCount);
                _lastError = $"store offset: {ex.Error.Code}: {ex.Error.Reason}";
                _log.Error("Kafka consumer of group {GroupId}: storing offset {Offset} of {TopicPartition} failed: {Error} (trigger: {Trigger})", GroupId, offset.NextOffset, offset.TopicPartition, ex.Error.Reason, commit.Trigger);
                commit.Done.TrySetException(new CommitFailedException($"storing offset {offset.NextOffset} of {offset.TopicPartition} for group '{GroupId}' failed: {ex.Error.Code}: {ex.Error.Reason}", ex));
                return;
            }
        }

        ReportStale(stale, commit.Trigger);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed > _settings.CommitTimeWarning)
        {
            _log.Warning("Kafka consumer of group {GroupId}: storing {Count} offsets took {ElapsedMs} ms, more than commit-time-warning (trigger: {Trigger})", GroupId, stored, (long)elapsed.TotalMilliseconds, commit.Trigger);
        }
        else
        {
            _log.Debug("Kafka consumer of group {GroupId}: stored {Count} offsets for auto-commit (trigger: {Trigger})", GroupId, stored, commit.Trigger);
        }

        // Stored offsets show up with the periodic refresh: refreshing the table (two client calls per
        // partition) for every committer batch cost the poll thread more than the polling.
        commit.Done.TrySetResult();
    }

    private void QueueForCommit(HostCommand.Commit commit)
    {
        foreach (var offset in commit.Offsets)
        {
            if (!_pending.TryGetValue(offset.TopicPartition, out var held)
                || offset.Epoch > held.Epoch
                || (offset.Epoch == held.Epoch && offset.NextOffset > held.NextOffset))
            {
                _pending[offset.TopicPartition] = offset;
            }
        }

        _pendingWaiters.Add(commit);
    }

    /// <summary>Synchronous mode: commits everything queued since the last poll in one call.</summary>
    private void CommitPending()
    {
        if (_pendingWaiters.Count == 0 && _pending.Count == 0) return;
        var toCommit = new List<TopicPartitionOffset>(_pending.Count);
        var stale = 0;
        foreach (var (tp, offset) in _pending)
        {
            if (!IsCurrent(offset)) stale++;
            else if (!_committed.TryGetValue(tp, out var held) || held < offset.NextOffset) toCommit.Add(new TopicPartitionOffset(tp, offset.NextOffset));
        }

        var trigger = DescribeTriggers();
        ReportStale(stale, trigger);
        if (toCommit.Count == 0)
        {
            CompletePendingCommits();
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            _consumer!.Commit(toCommit);
            OnCommitted(toCommit, trigger, Stopwatch.GetElapsedTime(started));
        }
        catch (KafkaException ex)
        {
            var error = (ex as TopicPartitionOffsetException)?.Results.FirstOrDefault(r => r.Error.IsError)?.Error ?? ex.Error;
            if (error.Code == ErrorCode.Local_NoOffset)
            {
                OnCommitted(toCommit, trigger, Stopwatch.GetElapsedTime(started));
                return;
            }

            OnCommitFailed(error, ex, toCommit.Count, trigger);
        }
    }

    private void OnCommitted(List<TopicPartitionOffset> committed, string trigger, TimeSpan elapsed)
    {
        // Shown with the periodic refresh, as stored offsets are.
        foreach (var tpo in committed) _committed[tpo.TopicPartition] = tpo.Offset.Value;
        if (elapsed > _settings.CommitTimeWarning)
        {
            _log.Warning("Kafka consumer of group {GroupId}: commit of {Count} offsets took {ElapsedMs} ms, more than commit-time-warning (trigger: {Trigger})", GroupId, committed.Count, (long)elapsed.TotalMilliseconds, trigger);
        }
        else
        {
            _log.Debug("Kafka consumer of group {GroupId}: committed {Count} offsets synchronously in {ElapsedMs} ms (trigger: {Trigger})", GroupId, committed.Count, (long)elapsed.TotalMilliseconds, trigger);
        }

        CompletePendingCommits();
    }

    private void OnCommitFailed(Error error, KafkaException ex, int count, string trigger)
    {
        Interlocked.Increment(ref _commitErrorCount);
        _lastError = $"commit: {error.Code}: {error.Reason}";
        var now = DateTime.UtcNow;
        var first = _commitFailingSince is null;
        _commitFailingSince ??= now;
        var retriable = IsRetriable(error.Code);
        if (retriable && now - _commitFailingSince.Value < _settings.CommitTimeout)
        {
            // Retried on the next poll; after a rebalance the epoch filter drops what we no longer own.
            if (first) _log.Warning("Kafka consumer of group {GroupId}: commit of {Count} offsets failed with {ErrorCode} ({Reason}); retrying between polls for up to commit-timeout (trigger: {Trigger})", GroupId, count, error.Code, error.Reason, trigger);
            else _log.Debug("Kafka consumer of group {GroupId}: commit retry failed with {ErrorCode} ({Reason})", GroupId, error.Code, error.Reason);
            return;
        }

        var failure = retriable
            ? new CommitFailedException(
                $"offsets of group '{GroupId}' could not be committed within {_settings.Origin}.commit-timeout = {KafkaHoconReader.Show(_settings.CommitTimeout)}: last error {error.Code}: {error.Reason}",
                ex)
            : new CommitFailedException($"the broker refused the offsets of group '{GroupId}': {error.Code}: {error.Reason}", ex);
        _log.Error("Kafka consumer of group {GroupId}: {Error} (trigger: {Trigger})", GroupId, failure.Message, trigger);
        FailPendingCommits(failure);
    }

    private static bool IsRetriable(ErrorCode code) => code is ErrorCode.RebalanceInProgress
        or ErrorCode.IllegalGeneration
        or ErrorCode.UnknownMemberId
        or ErrorCode.RequestTimedOut
        or ErrorCode.GroupLoadInProgress
        or ErrorCode.GroupCoordinatorNotAvailable
        or ErrorCode.NotCoordinatorForGroup
        or ErrorCode.NetworkException
        or ErrorCode.Local_TimedOut
        or ErrorCode.Local_Transport
        or ErrorCode.Local_AllBrokersDown
        or ErrorCode.Local_WaitCoord
        or ErrorCode.Local_State
        or ErrorCode.StaleMemberEpoch;

    private void CompletePendingCommits()
    {
        foreach (var waiter in _pendingWaiters) waiter.Done.TrySetResult();
        _pendingWaiters.Clear();
        _pending.Clear();
        _commitFailingSince = null;
    }

    private void FailPendingCommits(Exception failure)
    {
        foreach (var waiter in _pendingWaiters) waiter.Done.TrySetException(failure);
        _pendingWaiters.Clear();
        _pending.Clear();
        _commitFailingSince = null;
    }

    private string DescribeTriggers() =>
        _pendingWaiters.Count == 0 ? "revocation" : string.Join("+", _pendingWaiters.Select(w => w.Trigger).Distinct());

    private void ReportStale(int stale, string trigger)
    {
        if (stale == 0) return;
        Interlocked.Add(ref _staleOffsetsSkipped, stale);
        _log.Info("Kafka consumer of group {GroupId}: skipped {Count} offsets of partitions revoked since their records were read (trigger: {Trigger})", GroupId, stale, trigger);
    }

    /// <summary>Store mode: librdkafka reports its auto-commits (interval, revoke, close) here.</summary>
    private void OnOffsetsCommitted(CommittedOffsets committed)
    {
        var failed = committed.Offsets.Where(o => o.Error.IsError && o.Error.Code != ErrorCode.Local_NoOffset).ToList();
        if (committed.Error.IsError && committed.Error.Code != ErrorCode.Local_NoOffset)
        {
            Interlocked.Increment(ref _commitErrorCount);
            _lastError = $"auto-commit: {committed.Error.Code}: {committed.Error.Reason}";
            _log.Warning("Kafka consumer of group {GroupId}: auto-commit failed with {ErrorCode} ({Reason}); librdkafka retries with the latest stored offsets", GroupId, committed.Error.Code, committed.Error.Reason);
            return;
        }

        foreach (var tpo in committed.Offsets)
        {
            if (!tpo.Error.IsError && !tpo.Offset.IsSpecial && _owned.ContainsKey(tpo.TopicPartition)) _committed[tpo.TopicPartition] = tpo.Offset.Value;
        }

        if (failed.Count > 0)
        {
            Interlocked.Increment(ref _commitErrorCount);
            _lastError = $"auto-commit: {failed[0].Error.Code}: {failed[0].Error.Reason}";
            _log.Warning("Kafka consumer of group {GroupId}: auto-commit failed for {Partitions}: {Reason}", GroupId, string.Join(", ", failed.Select(f => f.TopicPartition)), failed[0].Error.Reason);
        }
        else
        {
            _log.Debug("Kafka consumer of group {GroupId}: librdkafka auto-committed {Count} offsets (trigger: auto-commit interval, revocation or close)", GroupId, committed.Offsets.Count);
        }

        _statusDirty = true;
    }
}
