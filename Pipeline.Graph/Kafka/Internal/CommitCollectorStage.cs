using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// Aggregates committables into one <see cref="CommittableOffsetBatch"/> (newest offset per
/// partition) and emits it when <c>max-batch</c> offsets were aggregated or <c>max-interval</c>
/// elapsed, whichever comes first. A timer-triggered batch waits for demand if there is none.
/// Unlike <c>GroupedWithin</c> it does not lose its partial batch when upstream fails: it sends it
/// to the consumers first (the emergency commit), then fails.
/// </summary>
internal sealed class CommitCollectorStage : GraphStage<FlowShape<ICommittable, CommittableOffsetBatch>>
{
    private const string FlushTimer = "commit-collector-flush";
    private readonly CommitterSettings _settings;

    internal CommitCollectorStage(CommitterSettings settings)
    {
        _settings = settings;
        Shape = new FlowShape<ICommittable, CommittableOffsetBatch>(In, Out);
    }

    public Inlet<ICommittable> In { get; } = new("CommitCollector.in");

    public Outlet<CommittableOffsetBatch> Out { get; } = new("CommitCollector.out");

    public override FlowShape<ICommittable, CommittableOffsetBatch> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName("kafkaCommitCollector");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private readonly CommitCollectorStage _stage;
        private readonly Dictionary<CommittableOffsetBatch.PartitionKey, CommittableOffset> _offsets = new();
        private int _batchSize;

        // Invariant: _pendingTrigger is non-null only while a batch is due but downstream has not
        // pulled; the next pull emits it.
        private string? _pendingTrigger;

        public Logic(CommitCollectorStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            ScheduleRepeatedly(FlushTimer, _stage._settings.MaxInterval);
            Pull(_stage.In);
        }

        public void OnPush()
        {
            var committable = Grab(_stage.In);
            // The common shapes are taken apart without the collection ICommittable.Offsets builds.
            switch (committable)
            {
                case CommittableOffset single:
                    Add(single);
                    break;
                case CommittableOffsetBatch batch:
                    foreach (var offset in batch.NewestOffsets) Add(offset);
                    break;
                default:
                    foreach (var offset in committable.Offsets) Add(offset);
                    break;
            }

            _batchSize += committable.BatchSize;
            if (_batchSize >= _stage._settings.MaxBatch) Flush("batch full");
            else Pull(_stage.In);
        }

        public void OnUpstreamFinish()
        {
            if (_offsets.Count == 0)
            {
                CompleteStage();
                return;
            }

            var batch = TakeBatch("upstream completed");
            Emit(_stage.Out, batch, CompleteStage);
        }

        public void OnUpstreamFailure(Exception e)
        {
            if (_offsets.Count > 0)
            {
                var batch = TakeBatch("upstream failed");
                Log.Warning("Committer: upstream failed ({Error}); sending {Count} offsets as an emergency commit before failing", e.Message, batch.Offsets.Count);
                batch.CommitAsync("emergency commit on upstream failure").ContinueWith(
                    t => Log.Warning("Committer: emergency commit failed: {Error}", t.Exception?.GetBaseException().Message),
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted,
                    TaskScheduler.Default);
            }

            FailStage(e);
        }

        public void OnPull()
        {
            if (_pendingTrigger is { } trigger && _offsets.Count > 0)
            {
                Push(_stage.Out, TakeBatch(trigger));
            }

            if (!IsClosed(_stage.In) && !HasBeenPulled(_stage.In)) Pull(_stage.In);
        }

        public void OnDownstreamFinish(Exception cause) => CompleteStage();

        protected override void OnTimer(object timerKey)
        {
            if (_offsets.Count > 0) Flush("interval");
        }

        private void Add(CommittableOffset offset)
        {
            var key = new CommittableOffsetBatch.PartitionKey(offset.Consumer, offset.TopicPartition);
            if (!_offsets.TryGetValue(key, out var held) || CommittableOffsetBatch.IsNewer(offset, held)) _offsets[key] = offset;
        }

        private void Flush(string trigger)
        {
            if (IsAvailable(_stage.Out))
            {
                Push(_stage.Out, TakeBatch(trigger));
            }
            else
            {
                _pendingTrigger = trigger;
            }
        }

        private CommittableOffsetBatch TakeBatch(string trigger)
        {
            var batch = CommittableOffsetBatch.FromAggregate(_offsets, _batchSize, trigger);
            Log.Debug("Committer: flushing {Count} offsets of {BatchSize} records (trigger: {Trigger})", _offsets.Count, _batchSize, trigger);
            _offsets.Clear();
            _batchSize = 0;
            _pendingTrigger = null;
            // Restart the interval so an offset waits at most max-interval after the previous flush.
            ScheduleRepeatedly(FlushTimer, _stage._settings.MaxInterval);
            return batch;
        }
    }
}
