using System.Globalization;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Windows;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Graph.Retraining.Internal;

/// <summary>Scoring with hot swap, shadow evaluation, training sample and checkpoints (see <see cref="ModelSwapFlow"/>).</summary>
internal sealed class ModelSwapStage : GraphStageWithMaterializedValue<FlowShape<PipelineElement, PipelineElement>, IModelSwapHandle>
{
    private readonly ModelTransactionScorer _scorer;
    private readonly long _version;
    private readonly LifecycleSettings _settings;
    private readonly TrainingSample _sample;
    private readonly IScoringLifecycleListener _listener;
    private readonly PipelineMetrics _metrics;
    private readonly LifecycleMetrics _lifecycleMetrics;

    public ModelSwapStage(ModelTransactionScorer scorer, long version, LifecycleSettings settings, TrainingSample sample,
        IScoringLifecycleListener listener, PipelineMetrics metrics, LifecycleMetrics lifecycleMetrics)
    {
        _scorer = scorer;
        _version = version;
        _settings = settings;
        _sample = sample;
        _listener = listener;
        _metrics = metrics;
        _lifecycleMetrics = lifecycleMetrics;
        Shape = new FlowShape<PipelineElement, PipelineElement>(In, Out);
    }

    public Inlet<PipelineElement> In { get; } = new("model-swap.in");

    public Outlet<PipelineElement> Out { get; } = new("model-swap.out");

    public override FlowShape<PipelineElement, PipelineElement> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName("model-swap");

    public override ILogicAndMaterializedValue<IModelSwapHandle> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var handle = new Handle();
        return new LogicAndMaterializedValue<IModelSwapHandle>(new Logic(this, handle.Inbox), handle);
    }

    private sealed class Handle : IModelSwapHandle
    {
        public Inbox<SwapCommand> Inbox { get; } = new();

        public void Offer(Pipeline.Models.Anomaly.TransactionAnomalyModel model, long version) => Inbox.Post(new SwapCommand.Offer(model, version));

        public void BeginShadow(Pipeline.Models.Anomaly.TransactionAnomalyModel candidate, long version) => Inbox.Post(new SwapCommand.Shadow(candidate, version));

        public void OnLabel(Pipeline.Models.Domain.TransactionLabel label) => Inbox.Post(new SwapCommand.Label(label));
    }

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly ModelSwapStage _stage;
        private readonly Inbox<SwapCommand> _inbox;
        private long _version;
        private long _sinceCheckpoint;
        private Pipeline.Models.Anomaly.TransactionAnomalyModel? _candidate;
        private long _candidateVersion;
        private ShadowComparison? _shadow;

        // Set once the candidate scored its shadow events: the event time until which labels may still arrive.
        private DateTimeOffset? _decisionDueAt;

        // Labels that matched no shadowed transaction, newest last: when the stage lags behind the
        // labels consumer a label can arrive before its transaction is scored, and is joined then.
        private readonly Dictionary<string, bool> _earlyLabels = new(StringComparer.Ordinal);
        private readonly Queue<string> _earlyOrder = new();

        public Logic(ModelSwapStage stage, Inbox<SwapCommand> inbox)
            : base(stage.Shape)
        {
            _stage = stage;
            _inbox = inbox;
            _version = stage._version;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _stage._scorer.Swap(_stage._scorer.Model, _version.ToString(CultureInfo.InvariantCulture));
            _stage._lifecycleMetrics.SetActiveVersion(_version);
            _inbox.Attach(GetAsyncCallback<Inbox<SwapCommand>.NotUsedSignal>(_ => Drain()));
            Drain();
        }

        public override void OnPush()
        {
            var element = Grab(_stage.In);
            if (element is not FeaturedTransaction featured)
            {
                Push(_stage.Out, element);
                return;
            }

            var scorer = _stage._scorer;
            var scored = scorer.ScoreThenLearn(featured.Transaction, featured.Features, featured.Late);
            _stage._metrics.RecordScored(scored.IsAnomaly ? scored.Severity : null);
            var id = featured.Transaction.TransactionId;
            var early = _earlyLabels.TryGetValue(id, out var earlyFraud);
            if (!(scored.IsAnomaly && _stage._settings.SampleExcludeFlagged) && !(early && earlyFraud && _stage._settings.SampleExcludeFraud))
            {
                _stage._sample.Add(featured.Transaction, featured.Features);
            }

            if (_shadow is not null && _candidate is not null)
            {
                var candidate = _candidate.ScoreOnly(featured.Transaction, featured.Features);
                _shadow.Add(id, scored.Score, candidate.Score, scored.Threshold);
                if (early) _shadow.Label(id, earlyFraud);
                if (_shadow.IsComplete)
                {
                    // Scoring is done; the labels of the shadowed transactions are still joined for a while.
                    _candidate = null;
                    _decisionDueAt = featured.Transaction.Timestamp + _stage._settings.ShadowLabelWait;
                }
            }

            if (_decisionDueAt is not null) TryDecide(featured.Transaction.Timestamp);

            if (++_sinceCheckpoint >= _stage._settings.CheckpointEveryEvents)
            {
                _sinceCheckpoint = 0;
                Checkpoint();
            }

            Push(_stage.Out, new ScoredElement(featured.Offset, featured.ReceivedAt, scored));
        }

        public override void OnPull() => Pull(_stage.In);

        private void Drain()
        {
            while (_inbox.TryTake(out var command))
            {
                switch (command)
                {
                    case SwapCommand.Offer offer when offer.Version > _version:
                        _stage._scorer.Swap(offer.Model, offer.Version.ToString(CultureInfo.InvariantCulture));
                        _version = offer.Version;
                        _sinceCheckpoint = 0;
                        if (_candidateVersion <= offer.Version)
                        {
                            _shadow = null;
                            _candidate = null;
                            _decisionDueAt = null;
                        }

                        _stage._lifecycleMetrics.RecordSwap(offer.Version);
                        Log.Info("Swapped in model version {0}", offer.Version);
                        break;
                    case SwapCommand.Offer stale:
                        Log.Debug("Ignored model version {0}: version {1} is already scoring", stale.Version, _version);
                        break;
                    case SwapCommand.Shadow shadow when shadow.Version > _version && shadow.Version != _candidateVersion:
                        _candidate = shadow.Candidate;
                        _candidateVersion = shadow.Version;
                        _shadow = new ShadowComparison(_stage._settings.ShadowEvents);
                        _decisionDueAt = null;
                        Log.Info("Shadow-scoring candidate version {0} for {1} transactions", shadow.Version, _stage._settings.ShadowEvents);
                        _stage._listener.OnShadowStarted(shadow.Version, _stage._settings.ShadowEvents);
                        break;
                    case SwapCommand.Shadow:
                        break;
                    case SwapCommand.Label label:
                        OnLabel(label.Value);
                        break;
                }
            }

            // Every shadowed transaction labelled: nothing left to wait for.
            if (_decisionDueAt is not null) TryDecide(now: null);
        }

        private void OnLabel(Pipeline.Models.Domain.TransactionLabel label)
        {
            if (label.IsFraud && _stage._settings.SampleExcludeFraud) _stage._sample.Exclude(label.TransactionId);
            if (_shadow?.Label(label.TransactionId, label.IsFraud) == true) return;

            // Bounded by the shadow window: a label further ahead of its transaction than that could
            // not be joined to a comparison in time anyway.
            if (_earlyLabels.TryAdd(label.TransactionId, label.IsFraud))
            {
                _earlyOrder.Enqueue(label.TransactionId);
                while (_earlyOrder.Count > _stage._settings.ShadowEvents) _earlyLabels.Remove(_earlyOrder.Dequeue());
            }
        }

        // Decides once the label wait has passed in event time (now = a scored transaction's time), or
        // as soon as every shadowed transaction has its label (now = null, after labels arrived).
        private void TryDecide(DateTimeOffset? now)
        {
            var shadow = _shadow!;
            if (shadow.Labelled < shadow.Count && (now is null || now < _decisionDueAt)) return;
            var evaluation = shadow.Evaluate(_stage._settings.Shadow);
            var version = _candidateVersion;
            _shadow = null;
            _decisionDueAt = null;
            _stage._lifecycleMetrics.RecordShadowEvaluation(evaluation.Promote);
            Log.Info("Shadow evaluation of candidate version {0} on {1} transactions ({2} labelled): {3}", version, evaluation.Events, evaluation.Labelled, evaluation.Reason);
            _stage._listener.OnShadowCompleted(version, evaluation);
        }

        private void Checkpoint()
        {
            using var buffer = new MemoryStream();
            var model = _stage._scorer.Model;
            model.WriteTo(buffer);
            _stage._listener.OnCheckpoint(_version, buffer.ToArray(), model.LearnCount);
        }
    }
}
