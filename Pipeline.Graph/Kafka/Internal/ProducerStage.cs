using System.Collections.Concurrent;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;
using Prometheus;
using Error = Confluent.Kafka.Error;
using LogMessage = Confluent.Kafka.LogMessage;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// INTERNAL API. The producer behind <see cref="KafkaProducer"/>: hands each envelope's records
/// to librdkafka as soon as it is pulled and emits the envelope's result once every record is
/// acknowledged, strictly in envelope order.
/// </summary>
internal sealed class ProducerStage<TKey, TValue, TPass>
    : GraphStage<FlowShape<IEnvelope<TKey, TValue, TPass>, IResults<TKey, TValue, TPass>>>
{
    private readonly ProducerSettings<TKey, TValue> _settings;
    private readonly IProducer<TKey, TValue>? _sharedProducer;

    /// <param name="settings">Validated settings.</param>
    /// <param name="sharedProducer">A producer owned by the caller, or <c>null</c> to build and own one per materialization.</param>
    public ProducerStage(ProducerSettings<TKey, TValue> settings, IProducer<TKey, TValue>? sharedProducer)
    {
        _settings = settings;
        _sharedProducer = sharedProducer;
        Shape = new FlowShape<IEnvelope<TKey, TValue, TPass>, IResults<TKey, TValue, TPass>>(In, Out);
    }

    public Inlet<IEnvelope<TKey, TValue, TPass>> In { get; } = new("kafkaProducer.in");

    public Outlet<IResults<TKey, TValue, TPass>> Out { get; } = new("kafkaProducer.out");

    public override FlowShape<IEnvelope<TKey, TValue, TPass>, IResults<TKey, TValue, TPass>> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafkaProducer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private readonly record struct Delivery(ProducerPending<TKey, TValue, TPass> Pending, int Index, DeliveryReport<TKey, TValue> Report);

    private sealed class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private const string QueueFullRetryTimer = "queue-full-retry";

        private readonly ProducerStage<TKey, TValue, TPass> _stage;
        private readonly ProducerSettings<TKey, TValue> _settings;
        private readonly string _clientId;
        private readonly Queue<ProducerPending<TKey, TValue, TPass>> _pending = new();
        private readonly ConcurrentQueue<Delivery> _deliveries = new();
        private readonly Dictionary<string, Counter.Child> _producedByTopic = new(StringComparer.Ordinal);
        private readonly Counter.Child _errors;
        private readonly Counter.Child _queueFullRetries;
        private readonly Gauge.Child _inFlight;
        private readonly Action _drainDeliveries;
        private readonly Action<Error> _failFatally;

        private IProducer<TKey, TValue>? _producer;
        private bool _ownsProducer;
        private ILoggingAdapter? _log;

        // The envelope whose next record met a full librdkafka queue. While it is set nothing else
        // is produced, so records keep their order; it is retried after each batch of delivery
        // reports (which free queue space) and on the retry timer.
        private ProducerPending<TKey, TValue, TPass>? _blocked;

        // Records handed to librdkafka whose report has not been applied yet.
        private int _outstanding;

        // The newest envelope pulled carried no record.
        private bool _lastWasPassThrough;

        // 1 while a drain callback is on its way; written by librdkafka's delivery thread too.
        private int _drainScheduled;

        // Set in PostStop: delivery reports and errors that arrive later are ignored.
        private volatile bool _stopped;

        // Set on the paths that end the stage without failure; only then does PostStop flush.
        private bool _graceful;
        private string _closeTrigger = "failure";
        private bool _failed;

        public Logic(ProducerStage<TKey, TValue, TPass> stage) : base(stage.Shape)
        {
            _stage = stage;
            _settings = stage._settings;
            _clientId = _settings.ClientId;
            _errors = ProducerMetrics.Errors.WithLabels(_clientId);
            _queueFullRetries = ProducerMetrics.QueueFullRetries.WithLabels(_clientId);
            _inFlight = ProducerMetrics.InFlight.WithLabels(_clientId);
            _drainDeliveries = GetAsyncCallback(DrainDeliveries);
            _failFatally = GetAsyncCallback<Error>(error =>
            {
                _errors.Inc();
                Fail(ProducerDeliveryException.Fatal(_clientId, error));
            });
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        protected override object LogSource => $"kafkaProducer({_clientId})";

        public override void PreStart()
        {
            // librdkafka's threads log through this adapter; the stage property must not be read off the stage's thread.
            _log = Log;
            foreach (var warning in _settings.Warnings)
            {
                _log.Warning("Kafka producer {ClientId}: {Warning}", _clientId, warning);
            }

            if (_stage._sharedProducer is { } shared)
            {
                _producer = shared;
            }
            else
            {
                _producer = _settings.Factory is { } factory
                    ? factory(_settings, OnClientError, OnClientLog)
                    : _settings.CreateKafkaProducer(OnClientError, OnClientLog);
                _ownsProducer = true;
            }

            Pull(_stage.In);
        }

        public void OnPush()
        {
            var envelope = Grab(_stage.In);
            _lastWasPassThrough = envelope is PassThroughEnvelope<TKey, TValue, TPass>;
            if (envelope is PassThroughEnvelope<TKey, TValue, TPass> passThrough && _pending.Count == 0 && IsAvailable(_stage.Out))
            {
                // Nothing ahead of it is waiting for an acknowledgement: it goes out at once, in order,
                // without the bookkeeping of a pending envelope (most elements of a dead-letter flow).
                Push(_stage.Out, new PassThroughResult<TKey, TValue, TPass>(passThrough.PassThrough));
                TryPullUpstream();
                return;
            }

            IReadOnlyList<ProducerRecord<TKey, TValue>> records = envelope switch
            {
                SingleEnvelope<TKey, TValue, TPass> single => [single.Record],
                MultiEnvelope<TKey, TValue, TPass> multi => multi.Records,
                PassThroughEnvelope<TKey, TValue, TPass> => [],
                null => throw new ArgumentNullException(nameof(envelope), "the Kafka producer stage received a null envelope"),
                _ => throw new ArgumentException(
                    $"the Kafka producer stage cannot produce a {envelope.GetType().Name}; create envelopes with ProducerMessage", nameof(envelope)),
            };

            var pending = new ProducerPending<TKey, TValue, TPass>(envelope, records);
            _pending.Enqueue(pending);
            ProduceRemaining(pending);
            TryEmit();
            TryPullUpstream();
        }

        public void OnUpstreamFinish()
        {
            if (_pending.Count == 0) Complete();
        }

        public void OnUpstreamFailure(Exception e) => Fail(e);

        public void OnPull()
        {
            TryEmit();
            TryPullUpstream();
        }

        public void OnDownstreamFinish(Exception cause)
        {
            // Records already handed over are still flushed when nobody failed: they were asked for.
            _graceful = cause is SubscriptionWithCancelException.NonFailureCancellation;
            _closeTrigger = "downstream cancellation";
            CancelStage(cause);
        }

        protected override void OnTimer(object timerKey)
        {
            if (Equals(timerKey, QueueFullRetryTimer))
            {
                RetryBlocked();
                TryEmit();
                TryPullUpstream();
            }
            else
            {
                _log?.Warning("Kafka producer {ClientId}: ignoring unknown timer {TimerKey}", _clientId, timerKey);
            }
        }

        public override void PostStop()
        {
            _stopped = true;
            // Reports still outstanding will never be applied here.
            _inFlight.Dec(_outstanding);
            if (!_ownsProducer || _producer is null) return;

            var producer = _producer;
            var outstanding = _outstanding;
            if (!_graceful)
            {
                // Flushing now would still send records that were queued after the failed one, so
                // the topic would show them without it (alpakka-kafka #295/#318).
                producer.Dispose();
                if (outstanding > 0)
                {
                    _log?.Warning(
                        "Kafka producer {ClientId} disposed without flushing after a failure; {Outstanding} records handed to librdkafka may or may not have been written",
                        _clientId,
                        outstanding);
                }

                return;
            }

            _log?.Debug("Kafka producer {ClientId} closing after {Trigger} with {Outstanding} records on their way", _clientId, _closeTrigger, outstanding);
            if (outstanding == 0)
            {
                producer.Dispose();
                return;
            }

            // Records are still on their way (downstream cancelled): wait for them off the stream's thread.
            var timeout = _settings.FlushTimeout;
            var log = _log;
            var clientId = _clientId;
            var trigger = _closeTrigger;
            _ = Task.Run(() =>
            {
                try
                {
                    var left = producer.Flush(timeout);
                    if (left > 0)
                    {
                        log?.Warning(
                            "Kafka producer {ClientId} closed after {Trigger}: {Left} of {Outstanding} records were still undelivered after flush-timeout {FlushTimeout}",
                            clientId,
                            trigger,
                            left,
                            outstanding,
                            timeout);
                    }

                    producer.Dispose();
                }
                catch (Exception ex)
                {
                    log?.Error(ex, "Kafka producer {ClientId} could not be closed after {Trigger}", clientId, trigger);
                }
            });
        }

        /// <summary>Hands the envelope's remaining records to librdkafka; stops at a full queue (and blocks) or a refusal (and fails).</summary>
        private void ProduceRemaining(ProducerPending<TKey, TValue, TPass> pending)
        {
            var producer = _producer!;
            while (pending.Produced < pending.Records.Count)
            {
                var index = pending.Produced;
                var record = pending.Records[index];
                var target = record.TopicPartition;
                try
                {
                    producer.Produce(target, record.ToMessage(), report => OnDeliveryReport(pending, index, report));
                }
                catch (ProduceException<TKey, TValue> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _blocked = pending;
                    _queueFullRetries.Inc();
                    if (!IsTimerActive(QueueFullRetryTimer)) ScheduleOnce(QueueFullRetryTimer, _settings.QueueFullRetryInterval);
                    return;
                }
                catch (Exception ex)
                {
                    _errors.Inc();
                    Fail(ProducerDeliveryException.NotProduced(_clientId, target, ex));
                    return;
                }

                pending.Produced = index + 1;
                _outstanding++;
                _inFlight.Inc();
            }
        }

        private void RetryBlocked()
        {
            if (_blocked is not { } blocked || _failed) return;
            _blocked = null;
            ProduceRemaining(blocked);
        }

        /// <summary>Runs on librdkafka's delivery thread: queue the report and wake the stage once per batch.</summary>
        private void OnDeliveryReport(ProducerPending<TKey, TValue, TPass> pending, int index, DeliveryReport<TKey, TValue> report)
        {
            if (_stopped) return;
            _deliveries.Enqueue(new Delivery(pending, index, report));
            if (Interlocked.Exchange(ref _drainScheduled, 1) == 0) _drainDeliveries();
        }

        private void DrainDeliveries()
        {
            // Reset before draining: a report queued after the loop ends schedules a new drain.
            Volatile.Write(ref _drainScheduled, 0);
            while (!_failed && _deliveries.TryDequeue(out var delivery))
            {
                _outstanding--;
                _inFlight.Dec();
                var report = delivery.Report;
                if (report.Error.IsError)
                {
                    _errors.Inc();
                    Fail(ProducerDeliveryException.NotDelivered(_clientId, delivery.Pending.Records[delivery.Index].TopicPartition, report.Error));
                    return;
                }

                ProducedCounter(report.Topic).Inc();
                delivery.Pending.Acknowledge(delivery.Index, report);
            }

            RetryBlocked();
            TryEmit();
            TryPullUpstream();
        }

        private void TryEmit()
        {
            if (_failed) return;
            if (_pending.Count > 0 && _pending.Peek().IsComplete && IsAvailable(_stage.Out))
            {
                Push(_stage.Out, _pending.Dequeue().ToResult());
            }

            if (_pending.Count == 0 && IsClosed(_stage.In)) Complete();
        }

        private void TryPullUpstream()
        {
            if (_failed || _blocked is not null || _pending.Count >= _settings.Parallelism) return;
            // Reading ahead pays off only while records are on their way to the broker. Behind a
            // pass-through with nothing outstanding it would only queue up to `parallelism` elements
            // (latency, memory) in front of a slow downstream, so the next pull waits for demand.
            if (_lastWasPassThrough && _outstanding == 0 && !IsAvailable(_stage.Out)) return;
            if (!IsClosed(_stage.In) && !HasBeenPulled(_stage.In)) Pull(_stage.In);
        }

        private void Complete()
        {
            _graceful = true;
            _closeTrigger = "upstream completion";
            CompleteStage();
        }

        private void Fail(Exception cause)
        {
            if (_failed) return;
            _failed = true;
            _graceful = false;
            FailStage(cause);
        }

        private Counter.Child ProducedCounter(string topic)
        {
            if (!_producedByTopic.TryGetValue(topic, out var counter))
            {
                counter = ProducerMetrics.Produced.WithLabels(_clientId, topic);
                _producedByTopic[topic] = counter;
            }

            return counter;
        }

        /// <summary>Runs on a librdkafka thread. Transient errors (a broker down) are retried by librdkafka itself; fatal ones end the producer.</summary>
        private void OnClientError(IProducer<TKey, TValue> producer, Error error)
        {
            if (_stopped) return;
            if (error.IsFatal)
            {
                _failFatally(error);
                return;
            }

            _log?.Warning("Kafka producer {ClientId}: {Reason} ({Code})", _clientId, error.Reason, error.Code);
        }

        /// <summary>Runs on a librdkafka thread.</summary>
        private void OnClientLog(IProducer<TKey, TValue> producer, LogMessage message)
        {
            var log = _log;
            if (log is null) return;
            var level = message.Level switch
            {
                <= SyslogLevel.Error => LogLevel.ErrorLevel,
                SyslogLevel.Warning => LogLevel.WarningLevel,
                SyslogLevel.Notice or SyslogLevel.Info => LogLevel.InfoLevel,
                _ => LogLevel.DebugLevel,
            };
            if (!log.IsEnabled(level)) return;
            log.Log(level, "librdkafka {Facility} [{Name}]: {Message}", [message.Facility, message.Name, message.Message]);
        }
    }
}
