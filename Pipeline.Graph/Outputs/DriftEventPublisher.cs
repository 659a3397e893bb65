using System.Threading.Channels;
using Akka;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Kafka;
using Prometheus;

namespace Pipeline.Graph.Outputs;

/// <summary>
/// Publishes drift events to the <c>drift-events</c> topic (DESIGN §3.3) off the main stream: the
/// drift stage calls <see cref="Publish"/> on its own thread, which only enqueues (never blocks); a
/// small stream of its own hands the records to the producer stage. Key = the detector ("adwin",
/// "ddm": one detector's events stay in order in one partition), value = <see cref="DriftEventJson"/>,
/// header <c>signal</c> = the watched signal, record timestamp = the detection's event time.
/// <para>
/// Drift events are not tied to an offset (a replay re-detects them from the data), so they are
/// published at most once: the queue holds <c>pipeline.outputs.drift.buffer-size</c> events and drops
/// the oldest when a broker outage fills it (counted in <c>pipeline_drift_events_dropped_total</c> and
/// logged); a record the producer cannot deliver within <c>message.timeout.ms</c> fails the inner
/// stream, which restarts with exponential backoff and jitter (<c>pipeline.outputs.drift.restart</c>).
/// The <c>drift_events</c> table keeps every event independently.
/// </para>
/// </summary>
public sealed class DriftEventPublisher : IAsyncDisposable
{
    /// <summary>The header carrying the drift's signal.</summary>
    public const string SignalHeader = "signal";

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<ProducerRecord<string, string>> _queue;
    private readonly IProducer<string, string> _producer;
    private readonly Task _drained;
    private Task _inner = Task.CompletedTask;
    private readonly Counter.Child _dropped;
    private readonly ILoggingAdapter _log;
    private readonly string _topic;
    private long _droppedCount;

    private DriftEventPublisher(OutputSettings settings, IMaterializer materializer, ILoggingAdapter log, CollectorRegistry? registry)
    {
        _log = log;
        _topic = settings.DriftTopic;
        _dropped = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry)
            .CreateCounter("pipeline_drift_events_dropped_total", "Drift events dropped before reaching Kafka because the publisher's queue was full.", "topic")
            .WithLabels(settings.DriftTopic);
        _queue = Channel.CreateBounded<ProducerRecord<string, string>>(
            new BoundedChannelOptions(settings.DriftBufferSize) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
        // One producer for every restart of the inner stream: records it already accepted survive a
        // restart, and it is flushed once when the publisher stops.
        _producer = settings.DriftProducer.CreateKafkaProducer(
            (_, error) => log.Warning("Drift producer error {0}: {1}", error.Code, error.Reason),
            (_, message) => log.Debug("Drift producer {0}: {1}", message.Facility, message.Message));
        var producerSettings = settings.DriftProducer;
        var producer = _producer;
        var restart = RestartSettings.Create(settings.DriftRestartMinBackoff, settings.DriftRestartMaxBackoff, settings.DriftRestartRandomFactor);
        _drained = ChannelSource.FromReader(_queue.Reader)
            .WatchTermination(Keep.Right)
            .To(RestartSink.WithBackoff(
                () => Flow.Create<ProducerRecord<string, string>>()
                    .Select(record => ProducerMessage.Single(record, NotUsed.Instance))
                    .Via(KafkaProducer.FlexiFlow<string, string, NotUsed>(producerSettings, producer))
                    .ToMaterialized(Sink.Ignore<IResults<string, string, NotUsed>>(), Keep.Right)
                    // The latest incarnation's completion: after a stop it tells when every record was acknowledged.
                    .MapMaterializedValue(done =>
                    {
                        Volatile.Write(ref _inner, done);
                        return NotUsed.Instance;
                    }),
                restart))
            .Named("drift-events-to-kafka")
            .Run(materializer);
    }

    /// <summary>Drift events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _droppedCount);

    /// <summary>Starts a publisher with <paramref name="settings"/>' drift producer and topic on <paramref name="materializer"/>.</summary>
    /// <param name="settings">The outputs' settings (the drift half is used).</param>
    /// <param name="materializer">Runs the publisher's stream.</param>
    /// <param name="log">Producer errors and drops are logged here.</param>
    /// <param name="registry">Where the drop counter lives (the default registry when null).</param>
    public static DriftEventPublisher Start(OutputSettings settings, IMaterializer materializer, ILoggingAdapter log, CollectorRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(materializer);
        ArgumentNullException.ThrowIfNull(log);
        return new DriftEventPublisher(settings, materializer, log, registry);
    }

    /// <summary>The record a drift event is published as.</summary>
    public static ProducerRecord<string, string> Record(DriftEvent drift, string modelVersion, string topic)
    {
        ArgumentNullException.ThrowIfNull(drift);
        return new ProducerRecord<string, string>(topic, drift.Detector, DriftEventJson.SerializeToString(drift, modelVersion))
        {
            Headers = new Headers { { SignalHeader, System.Text.Encoding.UTF8.GetBytes(drift.Signal) } },
            Timestamp = drift.Timestamp,
        };
    }

    /// <summary>Queues <paramref name="drift"/> (detected while <paramref name="modelVersion"/> scored); never blocks. False after <see cref="DisposeAsync"/>.</summary>
    public bool Publish(DriftEvent drift, string modelVersion) => _queue.Writer.TryWrite(Record(drift, modelVersion, _topic));

    /// <summary>Stops taking events, hands the queued ones to the producer and flushes it (bounded by a few seconds), then disposes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete()) return;
        try
        {
            await _drained.WaitAsync(StopTimeout).ConfigureAwait(false);
            await Volatile.Read(ref _inner).WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.Warning("Drift publisher did not drain within {0}; queued events are dropped", StopTimeout);
        }
        catch (Exception ex)
        {
            _log.Warning(ex, "Drift publisher failed while stopping; unacknowledged events are dropped");
        }

        var unsent = _producer.Flush(StopTimeout);
        if (unsent > 0) _log.Warning("Drift publisher stopped with {0} records unacknowledged", unsent);
        _producer.Dispose();
    }

    private void OnDropped(ProducerRecord<string, string> record)
    {
        Interlocked.Increment(ref _droppedCount);
        _dropped.Inc();
        _log.Warning("Drift event of {0} dropped: the publisher's queue is full (broker unreachable?)", record.Key);
    }
}
