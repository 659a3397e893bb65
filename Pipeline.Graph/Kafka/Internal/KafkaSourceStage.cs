using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// The source stage of <see cref="KafkaConsumer"/>: it owns no Kafka client itself. Its
/// <see cref="ConsumerHost{TKey,TValue}"/> (a dedicated thread, started in <c>PreStart</c>) hands
/// records over through the async callback; the stage buffers them (the host bounds the buffer
/// by pausing partitions), drops records whose partition epoch ended, and pushes on demand.
/// </summary>
internal sealed class KafkaSourceStage<TKey, TValue, TOut> : GraphStageWithMaterializedValue<SourceShape<TOut>, IControl>
{
    private readonly ConsumerSettings<TKey, TValue> _settings;
    private readonly ISubscription _subscription;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _clientProperties;
    private readonly bool _committable;
    private readonly Func<ConsumeResult<TKey, TValue>, TopicPartition, int, IConsumerHost, TOut> _toElement;
    private readonly string _name;

    internal KafkaSourceStage(
        string name,
        ConsumerSettings<TKey, TValue> settings,
        ISubscription subscription,
        IReadOnlyList<KeyValuePair<string, string>> clientProperties,
        bool committable,
        Func<ConsumeResult<TKey, TValue>, TopicPartition, int, IConsumerHost, TOut> toElement)
    {
        _name = name;
        _settings = settings;
        _subscription = subscription;
        _clientProperties = clientProperties;
        _committable = committable;
        _toElement = toElement;
        Shape = new SourceShape<TOut>(Out);
    }

    public Outlet<TOut> Out { get; } = new("KafkaConsumer.out");

    public override SourceShape<TOut> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName(_name);

    public override ILogicAndMaterializedValue<IControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var host = new ConsumerHost<TKey, TValue>(_settings, _subscription, _clientProperties, _committable);
        return new LogicAndMaterializedValue<IControl>(new Logic(this, host), host);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly KafkaSourceStage<TKey, TValue, TOut> _stage;
        private readonly ConsumerHost<TKey, TValue> _host;
        private readonly Queue<ConsumedRecord<TKey, TValue>> _buffer = new();
        private readonly Dictionary<TopicPartition, int> _epochs = new(TopicPartitionComparer.Instance);
        private readonly Dictionary<TopicPartition, OffsetToCommit> _emitted = new(TopicPartitionComparer.Instance);
        private Exception? _failure;
        private long _dropped;

        // Records arrive in runs of one partition: the partition of the last record pushed, its epoch check and its
        // offset to commit are kept here and written to _emitted when the run ends, not looked up per record.
        private TopicPartition? _runPartition;
        private int _runEpoch;
        private OffsetToCommit? _runEmitted;

        // Records taken from the buffer whose room the host has not been given back yet, and how many
        // may gather (an eighth of the buffer, so the host's pause/resume hysteresis stays intact).
        private readonly int _releaseStep;
        private int _unreleased;

        public Logic(KafkaSourceStage<TKey, TValue, TOut> stage, ConsumerHost<TKey, TValue> host)
            : base(stage.Shape)
        {
            _stage = stage;
            _host = host;
            _releaseStep = Math.Clamp(stage._settings.BufferSize / 8, 1, 64);
            SetHandler(stage.Out, onPull: TryPush, onDownstreamFinish: cause =>
            {
                // Cancellation (with or without a cause) ends the source; the host then serves
                // in-flight commits for at most stop-timeout and closes.
                Log.Debug("Kafka source of group {GroupId} cancelled by downstream: {Cause}", host.GroupId, cause?.Message ?? "completed");
                CompleteStage();
            });
        }

        public override void PreStart() => _host.Start(Log, GetAsyncCallback<HostEvent>(OnHostEvent));

        public override void PostStop()
        {
            var left = _buffer.Count;
            _buffer.Clear();
            ReleaseTaken();
            _host.Release(left);
            if (left > 0 || _dropped > 0)
            {
                Log.Debug("Kafka source of group {GroupId} stopped with {Buffered} buffered records (uncommitted, delivered again later) and {Dropped} stale records dropped", _host.GroupId, left, _dropped);
            }

            EndRun();
            _host.OnStageStopped(_failure, _emitted);
        }

        private void OnHostEvent(HostEvent hostEvent)
        {
            switch (hostEvent)
            {
                case HostEvent.RecordsArrived<TKey, TValue> arrived:
                    foreach (var record in arrived.Records) _buffer.Enqueue(record);
                    TryPush();
                    break;
                case HostEvent.Assigned assigned:
                    EndRun();
                    foreach (var (tp, epoch) in assigned.Partitions) _epochs[tp] = epoch;
                    break;
                case HostEvent.Revoked revoked:
                    Purge(revoked.Partitions);
                    break;
                case HostEvent.StopRequested:
                    CompleteStage();
                    break;
                case HostEvent.Failed failed:
                    _failure = failed.Error;
                    FailStage(failed.Error);
                    break;
            }
        }

        private void Purge(IReadOnlyList<TopicPartition> partitions)
        {
            EndRun();
            foreach (var tp in partitions) _epochs.Remove(tp);
            var before = _buffer.Count;
            if (before == 0) return;
            var kept = _buffer.Where(r => _epochs.ContainsKey(r.TopicPartition)).ToArray();
            _buffer.Clear();
            foreach (var record in kept) _buffer.Enqueue(record);
            var purged = before - kept.Length;
            _dropped += purged;
            _host.Release(purged);
            if (purged > 0)
            {
                Log.Debug("Kafka source of group {GroupId}: dropped {Count} buffered records of revoked partitions {Partitions}", _host.GroupId, purged, string.Join(", ", partitions));
            }
        }

        private void TryPush()
        {
            while (IsAvailable(_stage.Out) && _buffer.TryDequeue(out var record))
            {
                // Room is handed back to the poll thread in steps, not per record (an interlocked
                // write shared with that thread), and always once the buffer runs empty.
                if (++_unreleased >= _releaseStep || _buffer.Count == 0) ReleaseTaken();
                var tp = record.TopicPartition;
                if (!ReferenceEquals(tp, _runPartition) || record.Epoch != _runEpoch)
                {
                    EndRun();
                    if (!_epochs.TryGetValue(tp, out var epoch) || epoch != record.Epoch)
                    {
                        _dropped++;
                        continue;
                    }

                    (_runPartition, _runEpoch) = (tp, epoch);
                }

                if (_stage._committable) _runEmitted = new OffsetToCommit(tp, record.Result.Offset.Value + 1, record.Epoch);
                Push(_stage.Out, _stage._toElement(record.Result, record.TopicPartition, record.Epoch, _host));
                return;
            }
        }

        // Called before _epochs changes and before _emitted is read, so a run never outlives the epoch it was checked against.
        private void EndRun()
        {
            if (_runEmitted is { } emitted) _emitted[emitted.TopicPartition] = emitted;
            (_runPartition, _runEpoch, _runEmitted) = (null, 0, null);
        }

        private void ReleaseTaken()
        {
            _host.Release(_unreleased);
            _unreleased = 0;
        }
    }
}
