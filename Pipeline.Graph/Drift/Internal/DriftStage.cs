using System.Globalization;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Retraining.Internal;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Domain;
using Pipeline.Models.Drift;

namespace Pipeline.Graph.Drift.Internal;

/// <summary>Pass-through drift detection (see <see cref="DriftFlow"/>).</summary>
internal sealed class DriftStage : GraphStageWithMaterializedValue<FlowShape<PipelineElement, PipelineElement>, ILabelSink>
{
    private const string ZScoreFeature = "amount_zscore";
    private readonly DriftSettings _drift;
    private readonly LifecycleSettings _lifecycle;
    private readonly Action<DriftEvent> _onDrift;
    private readonly LifecycleMetrics _metrics;

    public DriftStage(DriftSettings drift, LifecycleSettings lifecycle, Action<DriftEvent> onDrift, LifecycleMetrics metrics)
    {
        _drift = drift;
        _lifecycle = lifecycle;
        _onDrift = onDrift;
        _metrics = metrics;
        Shape = new FlowShape<PipelineElement, PipelineElement>(In, Out);
    }

    public Inlet<PipelineElement> In { get; } = new("drift.in");

    public Outlet<PipelineElement> Out { get; } = new("drift.out");

    public override FlowShape<PipelineElement, PipelineElement> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName("drift");

    public override ILogicAndMaterializedValue<ILabelSink> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var sink = new LabelInbox();
        return new LogicAndMaterializedValue<ILabelSink>(new Logic(this, sink.Inbox), sink);
    }

    private sealed class LabelInbox : ILabelSink
    {
        public Inbox<TransactionLabel> Inbox { get; } = new();

        public void OnLabel(TransactionLabel label) => Inbox.Post(label);
    }

    private sealed class Watch(string detector, string signal, long cooldown)
    {
        public string Detector { get; } = detector;

        public string Signal { get; } = signal;

        // Starts past the cooldown so the first detection is raised.
        public long SinceLast { get; set; } = cooldown;

        public long Cooldown { get; } = cooldown;
    }

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly DriftStage _stage;
        private readonly Inbox<TransactionLabel> _labels;
        private Adwin _score;
        private Adwin? _zScore;
        private string? _version;
        private long _sinceSwap;
        private Ddm _ddm;
        private readonly Watch _scoreWatch;
        private readonly Watch _zWatch;
        private readonly Watch _ddmWatch;
        // Decisions awaiting their label; only those of the model scoring now, made after its warm-up, feed DDM.
        private readonly Dictionary<string, (bool Flagged, string Version, bool Watched)> _decisions = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public Logic(DriftStage stage, Inbox<TransactionLabel> labels)
            : base(stage.Shape)
        {
            _stage = stage;
            _labels = labels;
            _score = stage._drift.CreateAdwin();
            _zScore = stage._lifecycle.WatchAmountZScore ? stage._drift.CreateAdwin() : null;
            _ddm = stage._drift.CreateDdm();
            _scoreWatch = new Watch("adwin", "score", stage._drift.AdwinCooldownEvents);
            _zWatch = new Watch("adwin", ZScoreFeature, stage._drift.AdwinCooldownEvents);
            _ddmWatch = new Watch("ddm", "label_error", stage._drift.DdmCooldownEvents);
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _labels.Attach(GetAsyncCallback<Inbox<TransactionLabel>.NotUsedSignal>(_ => DrainLabels()));
            DrainLabels();
        }

        public override void OnPush()
        {
            var element = Grab(_stage.In);
            if (element is ScoredElement scored)
            {
                var row = scored.Scored;
                if (!string.Equals(row.ModelVersion, _version, StringComparison.Ordinal))
                {
                    // A new model has its own score level and warms up again: comparing it with the
                    // previous model's scores would report the swap itself as drift.
                    _version = row.ModelVersion;
                    _sinceSwap = 0;
                    _score = _stage._drift.CreateAdwin();
                    _zScore = _stage._lifecycle.WatchAmountZScore ? _stage._drift.CreateAdwin() : null;
                    // Likewise its error level: a warming-up or replaced model's mistakes are not drift of the traffic.
                    _ddm = _stage._drift.CreateDdm();
                }

                var watched = ++_sinceSwap > _stage._lifecycle.DriftWarmUpEvents;
                if (watched)
                {
                    Watch(row);
                }

                Remember(row.TransactionId, (row.IsAnomaly, row.ModelVersion, watched));
            }

            Push(_stage.Out, element);
        }

        public override void OnPull() => Pull(_stage.In);

        private void Watch(ScoredTransaction row)
        {
            if (double.IsFinite(row.Score) && Observe(_scoreWatch, _score.Update(row.Score)))
            {
                Raise(_scoreWatch, row.Timestamp, _score.Estimation, $"window {_score.Width:F0}, detections {_score.DetectionCount}");
            }

            if (_zScore is not null && row.Features.TryGetValue(ZScoreFeature, out var z) && double.IsFinite(z)
                && Observe(_zWatch, _zScore.Update(z)))
            {
                Raise(_zWatch, row.Timestamp, _zScore.Estimation, $"window {_zScore.Width:F0}, detections {_zScore.DetectionCount}");
            }
        }

        private void Remember(string transactionId, (bool Flagged, string Version, bool Watched) decision)
        {
            if (_decisions.TryAdd(transactionId, decision))
            {
                _order.Enqueue(transactionId);
                while (_order.Count > _stage._lifecycle.DecisionMemory) _decisions.Remove(_order.Dequeue());
            }
        }

        private void DrainLabels()
        {
            while (_labels.TryTake(out var label))
            {
                if (!_decisions.Remove(label.TransactionId, out var decision))
                {
                    _stage._metrics.RecordLabel(matched: false);
                    continue;
                }

                _stage._metrics.RecordLabel(matched: true);
                if (!decision.Watched || !string.Equals(decision.Version, _version, StringComparison.Ordinal)) continue;
                _ddm.Update(decision.Flagged != label.IsFraud);
                if (Observe(_ddmWatch, _ddm.DriftDetected))
                {
                    Raise(_ddmWatch, label.LabelledAt, _ddm.ErrorRate, string.Create(CultureInfo.InvariantCulture, $"error rate {_ddm.ErrorRate:F4} over {_ddm.Count} labelled decisions"));
                }
            }
        }

        private static bool Observe(Watch watch, bool detected)
        {
            watch.SinceLast++;
            if (!detected || watch.SinceLast <= watch.Cooldown) return false;
            watch.SinceLast = 0;
            return true;
        }

        private void Raise(Watch watch, DateTimeOffset at, double value, string details)
        {
            _stage._metrics.RecordDrift(watch.Detector, watch.Signal);
            Log.Info("Drift detected by {0} on {1}: {2} ({3})", watch.Detector, watch.Signal, value, details);
            _stage._onDrift(new DriftEvent(at, watch.Detector, watch.Signal, value, details));
        }
    }
}
