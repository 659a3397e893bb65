using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;

namespace Pipeline.Host.Producing;

/// <summary>
/// Publishes the scenario of <see cref="TransactionGenerator"/> to Kafka: every transaction to
/// <see cref="SyntheticProducerOptions.TransactionsTopic"/> and, later, its label to
/// <see cref="SyntheticProducerOptions.LabelsTopic"/>, both keyed by account id and encoded per DESIGN §3.1/§3.2.
/// </summary>
/// <remarks>
/// <para><b>Delivery.</b> One idempotent producer (<c>acks=all</c>, <c>enable.idempotence=true</c>, a small
/// <c>linger.ms</c>), so a retried batch never duplicates or reorders a partition. Messages are handed over with the
/// callback <c>Produce</c>; delivery reports are counted. When the client's local queue is full the run awaits a
/// short back-off and retries the same message, so nothing is dropped.</para>
/// <para><b>Labels.</b> Labels are released in event time: a label is due at its transaction's timestamp plus the
/// label delay, and is sent right after the first transaction whose event time reaches that instant. The delay in
/// messages is therefore proportional to the event-time delay at any rate limit, and the stream of labels is the
/// same on every run with the same seed. When the scenario ends the remaining labels are sent in due order.</para>
/// <para><b>Rate.</b> <see cref="SyntheticProducerOptions.RatePerSecond"/> transactions per second, by awaiting timer
/// delays (never by blocking a thread); 0 sends as fast as the client accepts.</para>
/// <para><b>Completion.</b> <see cref="RunAsync"/> flushes when the scenario ends, when it is cancelled and after a
/// fatal client error, waiting at most <see cref="SyntheticProducerOptions.FlushTimeout"/>; it never throws for
/// cancellation. On cancellation, labels not yet due are not sent.</para>
/// </remarks>
public sealed class SyntheticProducer
{
    private static readonly TimeSpan s_queueFullBackoff = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan s_flushPollInterval = TimeSpan.FromMilliseconds(10);

    private readonly SyntheticProducerOptions _options;
    private readonly IProgress<ProducerProgress>? _progress;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="options">What to produce and where.</param>
    /// <param name="progress">Receives a snapshot at most once per <see cref="SyntheticProducerOptions.ProgressInterval"/>, on the producing thread.</param>
    /// <param name="logger">Client errors and librdkafka logs go here.</param>
    /// <param name="time">Clock for pacing and progress; <see cref="TimeProvider.System"/> when null.</param>
    public SyntheticProducer(
        SyntheticProducerOptions options,
        IProgress<ProducerProgress>? progress = null,
        ILogger<SyntheticProducer>? logger = null,
        TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _progress = progress;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Produces the whole scenario, or until <paramref name="cancellationToken"/> fires, then flushes.</summary>
    public async Task<ProducerSummary> RunAsync(CancellationToken cancellationToken)
    {
        // Leave the caller's thread at once: with no rate limit the loop would otherwise run on it synchronously.
        await Task.Yield();

        var run = new RunState(_options.Generator.TotalCount, _time.GetTimestamp());
        using var producer = BuildProducer(run);
        var pacer = new RatePacer(_options.RatePerSecond);
        var labels = new LabelSchedule();
        var phase = GenerationPhase.Normal;
        var lastReport = TimeSpan.Zero;
        long sentAtLastReport = 0;

        try
        {
            foreach (var generated in TransactionGenerator.Generate(_options.Generator))
            {
                if (cancellationToken.IsCancellationRequested || run.FatalError is not null) break;

                var wait = pacer.Next(run.Elapsed(_time));
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);

                var transaction = generated.Transaction;
                await ProduceAsync(producer, run, _options.TransactionsTopic, transaction.AccountId, TransactionJson.Serialize(transaction), cancellationToken)
                    .ConfigureAwait(false);
                run.Count(generated);
                phase = generated.Phase;

                labels.Add(transaction.AccountId, generated.ToLabel());
                labels.Advance(transaction.Timestamp);
                while (labels.TryTakeDue(out var due))
                {
                    await ProduceLabelAsync(producer, run, due, cancellationToken).ConfigureAwait(false);
                }

                var elapsed = run.Elapsed(_time);
                if (_progress is not null && elapsed - lastReport >= _options.ProgressInterval)
                {
                    var rate = (run.Sent - sentAtLastReport) / (elapsed - lastReport).TotalSeconds;
                    _progress.Report(new ProducerProgress(run.Sent, run.Total, run.LabelsSent, run.Anomalies, phase, rate, elapsed));
                    lastReport = elapsed;
                    sentAtLastReport = run.Sent;
                }
            }

            if (!cancellationToken.IsCancellationRequested && run.FatalError is null)
            {
                while (labels.TryTakeNext(out var rest))
                {
                    await ProduceLabelAsync(producer, run, rest, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while pacing or waiting for queue space: the message in hand was not sent; flush the rest.
        }
        catch (KafkaException e)
        {
            // A synchronous refusal other than a full queue (an invalid topic, a message over the size limit) repeats
            // for every message, so stop, keep what was already handed over, and report it.
            run.Fail($"produce failed: {e.Error.Code} {e.Error.Reason}");
            _logger.LogError("Kafka producer refused a message with {Code}: {Reason}; stopping", e.Error.Code, e.Error.Reason);
        }

        var cancelled = cancellationToken.IsCancellationRequested;
        var outstanding = await FlushAsync(producer).ConfigureAwait(false);
        _logger.LogInformation(
            "Synthetic producer flushed after {Trigger}: {Sent} transactions, {Labels} labels, {Outstanding} unacknowledged",
            cancelled ? "cancellation" : run.FatalError is not null ? "fatal error" : "end of scenario",
            run.Sent,
            run.LabelsSent,
            outstanding);
        return run.ToSummary(cancelled, run.Elapsed(_time));
    }

    private IProducer<string, byte[]> BuildProducer(RunState run)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = _options.BootstrapServers,
            ["client.id"] = "pipeline-synthetic-producer",
            ["acks"] = "all",
            ["enable.idempotence"] = "true",
            ["linger.ms"] = _options.LingerMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in _options.KafkaProperties) config[key] = value;

        return new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal)
                {
                    run.Fail($"fatal Kafka client error {error.Code}: {error.Reason}");
                    _logger.LogError("Fatal Kafka producer error {Code}: {Reason}; stopping", error.Code, error.Reason);
                }
                else
                {
                    _logger.LogWarning("Kafka producer error {Code}: {Reason}", error.Code, error.Reason);
                }
            })
            .SetLogHandler((_, log) => _logger.Log(ToLogLevel(log.Level), "librdkafka {Facility}: {Message}", log.Facility, log.Message))
            .Build();
    }

    private async Task ProduceLabelAsync(IProducer<string, byte[]> producer, RunState run, LabelSchedule.Entry entry, CancellationToken ct)
    {
        await ProduceAsync(producer, run, _options.LabelsTopic, entry.AccountId, TransactionLabelJson.Serialize(entry.Label), ct).ConfigureAwait(false);
        run.CountLabel();
    }

    private async ValueTask ProduceAsync(IProducer<string, byte[]> producer, RunState run, string topic, string key, byte[] value, CancellationToken ct)
    {
        var message = new Message<string, byte[]> { Key = key, Value = value };
        while (true)
        {
            try
            {
                producer.Produce(topic, message, run.DeliveryHandler);
                return;
            }
            catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client is still sending what it holds; wait for room rather than dropping the message.
                run.CountQueueFull();
                await Task.Delay(s_queueFullBackoff, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> FlushAsync(IProducer<string, byte[]> producer)
    {
        // Flush with a zero timeout only nudges the client (it ends lingering) and reports what is still in
        // flight; polling it with timer waits keeps the wait asynchronous.
        var deadline = _time.GetTimestamp() + (long)(_options.FlushTimeout.TotalSeconds * _time.TimestampFrequency);
        var outstanding = producer.Flush(TimeSpan.Zero);
        while (outstanding > 0 && _time.GetTimestamp() < deadline)
        {
            await Task.Delay(s_flushPollInterval, _time).ConfigureAwait(false);
            outstanding = producer.Flush(TimeSpan.Zero);
        }

        return outstanding;
    }

    private static LogLevel ToLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>
    /// Counters of one run. Send counters are touched only by the producing loop; delivery counters and the fatal
    /// error are written by librdkafka's callback thread, hence the interlocked updates.
    /// </summary>
    private sealed class RunState
    {
        private readonly long _startTimestamp;
        private long _delivered;
        private long _failed;
        private string? _firstError;
        private long _normal;
        private long _drift;
        private long _attack;
        private long _queueFullWaits;
        private string? _fatalError;

        public RunState(long total, long startTimestamp)
        {
            Total = total;
            _startTimestamp = startTimestamp;
            DeliveryHandler = OnDelivery;
        }

        public long Total { get; }

        /// <summary>One delegate for every message, rather than a new one per produce call.</summary>
        public Action<DeliveryReport<string, byte[]>> DeliveryHandler { get; }

        public long Sent => _normal + _drift + _attack;

        public long LabelsSent { get; private set; }

        public long Anomalies { get; private set; }

        public string? FatalError => Volatile.Read(ref _fatalError);

        private void OnDelivery(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
                Interlocked.CompareExchange(ref _firstError, $"delivery to {report.Topic} failed: {report.Error.Code} {report.Error.Reason}", null);
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        }

        public void Fail(string error)
        {
            Interlocked.CompareExchange(ref _fatalError, error, null);
            Interlocked.CompareExchange(ref _firstError, error, null);
        }

        public void Count(GeneratedTransaction generated)
        {
            _ = generated.Phase switch
            {
                GenerationPhase.Normal => ++_normal,
                GenerationPhase.Drift => ++_drift,
                _ => ++_attack,
            };
            if (generated.IsAnomaly) Anomalies++;
        }

        public void CountLabel() => LabelsSent++;

        public void CountQueueFull() => _queueFullWaits++;

        public TimeSpan Elapsed(TimeProvider time) => time.GetElapsedTime(_startTimestamp);

        public ProducerSummary ToSummary(bool cancelled, TimeSpan elapsed) => new(
            _normal,
            _drift,
            _attack,
            Anomalies,
            LabelsSent,
            Interlocked.Read(ref _delivered),
            Interlocked.Read(ref _failed),
            _queueFullWaits,
            cancelled,
            Volatile.Read(ref _firstError),
            elapsed);
    }
}
