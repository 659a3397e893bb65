using System.Collections.Concurrent;
using Akka.Event;
using Confluent.Kafka;
using Error = Confluent.Kafka.Error;
using LogMessage = Confluent.Kafka.LogMessage;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// The dedicated OS thread behind one consumer source. It alone creates, polls, pauses, commits,
/// closes and disposes the <see cref="IConsumer{TKey,TValue}"/>; other threads reach it only
/// through the command queue (<see cref="HostCommand"/>) and it reaches the stage only through the
/// stage's async callback (<see cref="HostEvent"/>). Rebalance callbacks run synchronously on this
/// thread inside <c>Consume</c>/<c>Close</c>, so ownership, epochs and the paused set are plain
/// fields here. This file holds the lifecycle and the loop; the partial files hold the flow
/// control and rebalance handling (<c>ConsumerHost.Partitions.cs</c>), the commits
/// (<c>ConsumerHost.Commits.cs</c>) and the status snapshot (<c>ConsumerHost.Status.cs</c>).
/// </summary>
internal sealed partial class ConsumerHost<TKey, TValue> : IConsumerHost, IControl
{
    private readonly ConsumerSettings<TKey, TValue> _settings;
    private readonly ISubscription _subscription;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _clientProperties;
    private readonly bool _committable;
    private readonly ConcurrentQueue<HostCommand> _commands = new();
    private readonly TaskCompletionSource _sourceStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lifecycle = new();
    private readonly List<HostCommand> _deferred = new();

    private Thread? _thread;
    private volatile bool _closed;
    private volatile Exception? _fatal;
    private ILoggingAdapter _log = NoLogger.Instance;
    private Action<HostEvent> _toStage = _ => { };

    // Records handed to the stage and neither emitted nor dropped yet: written by both threads.
    private int _depth;

    // Poll-thread state.
    private IConsumer<TKey, TValue>? _consumer;
    private bool _stopRequested;
    private bool _shutdownRequested;
    private bool _stageStopped;
    private DateTime? _lingerUntil;
    private IReadOnlyDictionary<TopicPartition, OffsetToCommit> _emittedAtStop = new Dictionary<TopicPartition, OffsetToCommit>();

    internal ConsumerHost(
        ConsumerSettings<TKey, TValue> settings,
        ISubscription subscription,
        IReadOnlyList<KeyValuePair<string, string>> clientProperties,
        bool committable)
    {
        _settings = settings;
        _subscription = subscription;
        _clientProperties = clientProperties;
        _committable = committable;
        _status = InitialStatus();
    }

    public string GroupId => _settings.GroupId;

    public Task IsShutdown => _shutdown.Task;

    /// <summary>Records handed to the stage and not emitted yet (the hand-off buffer's depth).</summary>
    internal int BufferDepth => Volatile.Read(ref _depth);

    /// <summary>Starts the poll thread; called from the stage's <c>PreStart</c>, once its async callback exists.</summary>
    internal void Start(ILoggingAdapter log, Action<HostEvent> toStage)
    {
        lock (_lifecycle)
        {
            if (_closed) return;
            _log = log;
            _toStage = toStage;
            _thread = new Thread(Run)
            {
                IsBackground = true,
                Name = $"kafka-consumer-{GroupId}",
            };
            _thread.Start();
        }
    }

    /// <summary>Called from the stage's <c>PostStop</c>.</summary>
    internal void OnStageStopped(Exception? failure, IReadOnlyDictionary<TopicPartition, OffsetToCommit> emitted)
    {
        _sourceStopped.TrySetResult();
        Enqueue(new HostCommand.StageStopped(failure, emitted));
    }

    public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_closed)
        {
            done.SetException(NotServing(offsets.Count, trigger));
            return done.Task;
        }

        Enqueue(new HostCommand.Commit(offsets, done, trigger));
        return done.Task;
    }

    public Task Stop()
    {
        Enqueue(new HostCommand.Stop());
        return _sourceStopped.Task;
    }

    public Task Shutdown()
    {
        lock (_lifecycle)
        {
            if (_thread is null)
            {
                // Never started (materialization aborted): there is no consumer to close.
                _closed = true;
                _state = (int)ConsumerState.Shutdown;
                _sourceStopped.TrySetResult();
                _shutdown.TrySetResult();
                return _shutdown.Task;
            }
        }

        Enqueue(new HostCommand.Shutdown());
        return _shutdown.Task;
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(streamCompletion);
        await Stop().ConfigureAwait(false);
        var finished = await Task.WhenAny(streamCompletion, Task.Delay(_settings.StopTimeout)).ConfigureAwait(false);
        Exception? shutdownFailure = null;
        try
        {
            await Shutdown().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            shutdownFailure = ex;
        }

        if (finished != streamCompletion)
        {
            var message = $"the stream did not complete within {_settings.Origin}.stop-timeout = {KafkaHoconReader.Show(_settings.StopTimeout)} after Stop; " +
                $"the consumer of group '{GroupId}' was shut down and offsets of records still in flight were not committed";
            throw shutdownFailure is null ? new KafkaConsumerException(message) : new KafkaConsumerException(message, shutdownFailure);
        }

        // The stream's own failure matters more than a slow close; await rethrows it.
        var result = await streamCompletion.ConfigureAwait(false);
        if (shutdownFailure is not null) throw shutdownFailure;
        return result;
    }

    private void Enqueue(HostCommand command)
    {
        _commands.Enqueue(command);
        // A poll thread waiting for buffer room must serve the command now: a commit it holds back holds
        // back the stream that would make that room (the committer waits for it), so the two would stall each
        // other until the wait times out.
        WakeForCommand();
        // The poll thread sets _closed before its final drain; whoever comes second fails the leftovers.
        if (_closed) FailLeftoverCommands();
    }

    private void Run()
    {
        try
        {
            _consumer = BuildConsumer();
            StartSubscription();
            SetState(ConsumerState.Running);
            while (true)
            {
                DrainCommands();
                if (ShouldClose()) break;
                PollStep();
                if (_settings.CommitMode == CommitMode.Synchronous) CommitPending();
                RefreshStatus(force: false);
            }
        }
        catch (Exception ex)
        {
            _fatal ??= ex as KafkaConsumerException
                ?? new KafkaConsumerException($"the Kafka consumer of group '{GroupId}' failed: {ex.Message}", ex);
        }
        finally
        {
            CloseAndDispose();
        }
    }

    private IConsumer<TKey, TValue> BuildConsumer()
    {
        var builder = new ConsumerBuilder<TKey, TValue>(_clientProperties)
            .SetErrorHandler((_, error) => OnClientError(error))
            .SetLogHandler((_, message) => OnClientLog(message))
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                OnAssigned(partitions);
                return StartOffsets(partitions);
            })
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions, lost: false))
            .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions, lost: true))
            .SetOffsetsCommittedHandler((_, committed) => OnOffsetsCommitted(committed));
        if (_settings.KeyDeserializer is not null) builder.SetKeyDeserializer(_settings.KeyDeserializer);
        if (_settings.ValueDeserializer is not null) builder.SetValueDeserializer(_settings.ValueDeserializer);
        return builder.Build();
    }

    // Runs inside the assignment callback on this poll thread, so blocking on the lookup stalls no
    // dispatcher; a failed lookup fails the source, because starting anywhere else would either
    // re-apply written rows or skip unwritten ones.
    private IEnumerable<TopicPartitionOffset> StartOffsets(List<TopicPartition> partitions)
    {
        var source = _settings.AssignedOffsets;
        if (source is null || partitions.Count == 0) return partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset));
        IReadOnlyDictionary<TopicPartition, long> stored;
        try
        {
            using var timeout = new CancellationTokenSource(_settings.AssignedOffsetsTimeout);
            stored = source.LoadOffsetsAsync(GroupId, partitions, timeout.Token).WaitAsync(_settings.AssignedOffsetsTimeout).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            throw new KafkaConsumerException(
                $"the Kafka consumer of group '{GroupId}' could not read the stored offsets of {string.Join(", ", partitions)}: {ex.Message}", ex);
        }

        var result = partitions.Select(tp => new TopicPartitionOffset(tp, stored.TryGetValue(tp, out var next) ? new Offset(next) : Offset.Unset)).ToList();
        _log.Info(
            "Kafka consumer of group {GroupId}: starting assigned partitions at stored offsets {Offsets}",
            GroupId,
            string.Join(", ", result.Select(r => $"{r.TopicPartition}@{(r.Offset == Offset.Unset ? "committed" : r.Offset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}")));
        return result;
    }

    private void StartSubscription()
    {
        switch (_subscription)
        {
            case TopicSubscription topics:
                _consumer!.Subscribe(topics.Topics);
                break;
            case AssignmentSubscription assignment:
                var assigned = assignment.Partitions.ToList();
                _consumer!.Assign(StartOffsets(assigned));
                OnAssigned(assigned);
                break;
            default:
                throw new KafkaConsumerException($"unsupported subscription {_subscription.GetType().Name}; build one with Subscriptions");
        }

        _log.Info(
            "Kafka consumer of group {GroupId} started on {Subscription} (commit mode {CommitMode}, buffer {BufferSize}, kafka-clients {Properties})",
            GroupId,
            _subscription.Describe(),
            _committable ? _settings.CommitMode.ToString() : "none (plain source)",
            _settings.BufferSize,
            _settings.Properties.ToString());
    }

    private void DrainCommands()
    {
        if (_deferred.Count > 0)
        {
            var deferred = _deferred.ToArray();
            _deferred.Clear();
            foreach (var command in deferred) Handle(command);
        }

        while (_commands.TryDequeue(out var command)) Handle(command);
    }

    // Inside a revoke callback only commits may run now; the rest waits for the loop.
    private void DrainCommitsOnly()
    {
        while (_commands.TryDequeue(out var command))
        {
            if (command is HostCommand.Commit commit) ProcessCommit(commit);
            else _deferred.Add(command);
        }
    }

    private void Handle(HostCommand command)
    {
        {
            switch (command)
            {
                case HostCommand.Commit commit:
                    ProcessCommit(commit);
                    break;
                case HostCommand.Stop:
                    RequestSourceStop("Stop requested");
                    break;
                case HostCommand.Shutdown:
                    _shutdownRequested = true;
                    break;
                case HostCommand.StageStopped stopped:
                    OnStageStoppedCommand(stopped);
                    break;
            }
        }
    }

    private void RequestSourceStop(string reason)
    {
        if (_stopRequested) return;
        _stopRequested = true;
        _flowDirty = true;
        _log.Info("Kafka consumer of group {GroupId}: {Reason}; completing the source, still serving commits", GroupId, reason);
        Send(new HostEvent.StopRequested());
    }

    private void OnStageStoppedCommand(HostCommand.StageStopped stopped)
    {
        if (_stageStopped) return;
        _stageStopped = true;
        _stopRequested = true;
        _flowDirty = true;
        _emittedAtStop = stopped.Emitted;
        _lingerUntil = DateTime.UtcNow + _settings.StopTimeout;
        SetState(ConsumerState.Stopped);
        if (stopped.Failure is not null && !ReferenceEquals(stopped.Failure, _fatal))
        {
            _log.Warning("Kafka source of group {GroupId} failed ({Error}); serving commits for at most {StopTimeout} before closing", GroupId, stopped.Failure.Message, _settings.StopTimeout);
        }
        else
        {
            _log.Info("Kafka source of group {GroupId} completed; serving commits for at most {StopTimeout} before closing", GroupId, _settings.StopTimeout);
        }
    }

    private bool ShouldClose()
    {
        if (_fatal is not null || _shutdownRequested) return true;
        if (_lingerUntil is not { } until) return false;
        if (DateTime.UtcNow >= until)
        {
            _log.Info("Kafka consumer of group {GroupId}: stop-timeout {StopTimeout} reached; closing", GroupId, _settings.StopTimeout);
            return true;
        }

        return EveryEmittedOffsetHandled();
    }

    // Closing early once every emitted record's offset is stored or committed (or can no longer
    // be) spares users the full stop-timeout when the stream drained on its own.
    private bool EveryEmittedOffsetHandled()
    {
        if (_settings.CommitMode == CommitMode.Synchronous && _pendingWaiters.Count > 0) return false;
        foreach (var (tp, emitted) in _emittedAtStop)
        {
            if (!IsCurrent(emitted)) continue;
            var done = _settings.CommitMode == CommitMode.StoreAndAutoCommit ? _stored : _committed;
            if (!done.TryGetValue(tp, out var offset) || offset < emitted.NextOffset) return false;
        }

        _log.Debug("Kafka consumer of group {GroupId}: every emitted offset is committed; closing before stop-timeout", GroupId);
        return true;
    }

    private void CloseAndDispose()
    {
        SetState(ConsumerState.ShuttingDown);
        using var closeDeadline = new CancellationTokenSource();
        _ = Task.Delay(_settings.CloseTimeout, closeDeadline.Token).ContinueWith(
            _ => _shutdown.TrySetException(new KafkaConsumerException(
                $"the Kafka consumer of group '{GroupId}' did not close within {_settings.Origin}.close-timeout = {KafkaHoconReader.Show(_settings.CloseTimeout)}; its final commit may be missing")),
            closeDeadline.Token,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);

        if (_fatal is not null)
        {
            _log.Error(_fatal, "Kafka consumer of group {GroupId} failed: {Error}", GroupId, _fatal.Message);
            Send(new HostEvent.Failed(_fatal));
        }
        else if (!_stopRequested)
        {
            RequestSourceStop("Shutdown requested");
        }

        if (_consumer is not null)
        {
            if (_fatal is null)
            {
                DrainCommands();
                if (_settings.CommitMode == CommitMode.Synchronous) CommitPending();
                try
                {
                    _consumer.Close();
                    _log.Info(
                        "Kafka consumer of group {GroupId} closed (final commit: {FinalCommit})",
                        GroupId,
                        _committable && _settings.CommitMode == CommitMode.StoreAndAutoCommit ? "stored offsets committed by close" : "none needed");
                }
                catch (Exception ex)
                {
                    _log.Warning("Kafka consumer of group {GroupId} did not close cleanly: {Error}", GroupId, ex.Message);
                }
            }

            try
            {
                _consumer.Dispose();
            }
            catch (Exception ex)
            {
                _log.Warning("Kafka consumer of group {GroupId} did not dispose cleanly: {Error}", GroupId, ex.Message);
            }
        }

        _closed = true;
        _owned.Clear();
        _paused.Clear();
        FailLeftoverCommands();
        FailPendingCommits(NotServing(_pending.Count, "shutdown"));
        SetState(_fatal is null ? ConsumerState.Shutdown : ConsumerState.Failed);
        RefreshStatus(force: true);
        closeDeadline.Cancel();
        _sourceStopped.TrySetResult();
        _shutdown.TrySetResult();
    }

    private void FailLeftoverCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            if (command is HostCommand.Commit commit)
            {
                commit.Done.TrySetException(NotServing(commit.Offsets.Count, commit.Trigger));
            }
        }
    }

    private CommitFailedException NotServing(int count, string trigger) =>
        new($"the Kafka consumer of group '{GroupId}' is shut down; {count} offsets (trigger: {trigger}) were not committed and their records will be delivered again");

    private void Send(HostEvent hostEvent)
    {
        try
        {
            _toStage(hostEvent);
        }
        catch (Exception ex)
        {
            // The stage is gone (it stopped first); nothing is waiting for this event.
            _log.Debug("Kafka consumer of group {GroupId}: stage gone, dropped {Event}: {Error}", GroupId, hostEvent.GetType().Name, ex.Message);
        }
    }

    private void OnClientError(Error error)
    {
        Interlocked.Increment(ref _errorCount);
        _lastError = $"{error.Code}: {error.Reason}";
        if (error.IsFatal)
        {
            _fatal ??= new KafkaConsumerException($"fatal Kafka consumer error in group '{GroupId}': {error.Code}: {error.Reason}");
            return;
        }

        _log.Warning("Kafka client error in group {GroupId}: {ErrorCode} {Reason} (librdkafka retries)", GroupId, error.Code, error.Reason);
    }

    private void OnClientLog(LogMessage message)
    {
        const string template = "librdkafka {Facility} ({ClientName}): {Message}";
        switch (message.Level)
        {
            case SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error:
                _log.Error(template, message.Facility, message.Name, message.Message);
                break;
            case SyslogLevel.Warning:
                _log.Warning(template, message.Facility, message.Name, message.Message);
                break;
            case SyslogLevel.Notice:
                _log.Info(template, message.Facility, message.Name, message.Message);
                break;
            default:
                _log.Debug(template, message.Facility, message.Name, message.Message);
                break;
        }
    }

    private void SetState(ConsumerState state) => Volatile.Write(ref _state, (int)state);
}
