using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Pipeline.Graph.Alerting.Internal;
using Pipeline.Graph.Ingest;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// The alert writer of the main graph (DESIGN §1, §4): every anomalous <see cref="Scoring.ScoredElement"/>
/// becomes an <see cref="Models.Alerting.Alert"/> (deterministic id from its transaction id), is checked
/// against dedupe and cooldown per (account, reason) — state in <c>alert_cooldowns</c>, an in-memory cache
/// in front — and, when raised, is written with its outbox rows in one transaction, idempotently.
/// <para>
/// <b>Placement.</b> Put it between scoring and the store flow: an element leaves this flow only once its
/// alert is durable, so its offset — committed after the store flow — is never committed before the alert
/// exists. A crash before that replays the record, and the replay finds the alert already stored (same id)
/// and writes nothing new. That is the at-least-once guarantee for alerts; no alert is ever lost.
/// </para>
/// <para>
/// <b>Never blocks on delivery.</b> Slack, webhooks and the console are fed from the outbox by separate
/// streams (<see cref="AlertDelivery"/>); nothing here waits for them. The only thing that can slow this
/// flow is the alert database itself (the same database the store writes to).
/// </para>
/// <para>
/// Emits one element per input, in input order, once the batch holding it is written (a batch without
/// anomalies touches no database and passes at once). Batches form only while a write is in progress, so
/// there is no added latency when idle. Backpressures while a write (or its retries) is in progress; a
/// failed write is retried with exponential backoff and jitter forever — a batch is never dropped;
/// completes when upstream completes and the last batch is written; fails when upstream fails, or when a
/// flagged row carries a severity other than LOW, MEDIUM, HIGH or CRITICAL (a scoring bug, not bad input);
/// cancels upstream when downstream cancels. Materialized value: <see cref="NotUsed"/>. Reads
/// <c>pipeline.alerting</c> (<c>enabled</c>, <c>cooldown</c>, <c>dedupe-window</c>, <c>cache-size</c>,
/// <c>writer.*</c>, and the channel switches that decide which outbox rows each alert gets).
/// </para>
/// </summary>
public static class AlertFlow
{
    /// <summary>
    /// The alert writer, emitting each element with the alert it raised (see <see cref="AlertedElement"/>),
    /// for stages that need the alert itself (the Kafka output, <see cref="AlertKafkaOutput"/>). When
    /// <c>enabled = off</c> every element passes with no alert and nothing is written.
    /// </summary>
    /// <param name="store">The alert store, initialized.</param>
    /// <param name="settings">The <c>pipeline.alerting</c> settings.</param>
    /// <param name="metrics">Alert metrics.</param>
    /// <param name="clock">Wall clock: alert creation times and retry delays.</param>
    /// <param name="log">Logs retries.</param>
    /// <param name="jitter">Random source of retry jitter (seeded in tests); null for a fixed seed.</param>
    public static Flow<PipelineElement, AlertedElement, NotUsed> Raise(
        IAlertStore store, AlertingSettings settings, AlertMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(log);
        if (!settings.Enabled) return Flow.Create<PipelineElement>().Select(e => new AlertedElement(e, null)).Named("alerts-disabled");

        var writer = new AlertWriter(store, settings, metrics, clock, log, jitter ?? new Random(23));
        return Flow.Create<PipelineElement>()
            .Batch(settings.WriterBatchSize, e => new List<PipelineElement> { e }, (batch, e) =>
            {
                batch.Add(e);
                return batch;
            })
            .SelectAsync(1, batch => writer.ProcessAsync(batch))
            .SelectMany(elements => elements)
            .Named("alerts");
    }

    /// <summary>
    /// The alert writer as a pass-through flow of graph elements (<see cref="Raise"/> without the alerts),
    /// optionally publishing every raised alert through <paramref name="output"/> (for example
    /// <see cref="AlertKafkaOutput.Create(Kafka.ProducerSettings{string, string}, string)"/>) before the element
    /// moves on, so the element's offset also waits for that output.
    /// </summary>
    /// <param name="store">The alert store, initialized.</param>
    /// <param name="settings">The <c>pipeline.alerting</c> settings.</param>
    /// <param name="metrics">Alert metrics.</param>
    /// <param name="clock">Wall clock.</param>
    /// <param name="log">Logs retries.</param>
    /// <param name="output">A flow that publishes alerts and passes every element on, in order; null for none.</param>
    /// <param name="jitter">Random source of retry jitter; null for a fixed seed.</param>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(
        IAlertStore store,
        AlertingSettings settings,
        AlertMetrics metrics,
        TimeProvider clock,
        ILoggingAdapter log,
        Flow<AlertedElement, AlertedElement, NotUsed>? output = null,
        Random? jitter = null)
    {
        var raise = Raise(store, settings, metrics, clock, log, jitter);
        if (output is not null && settings.Enabled) raise = raise.Via(output);
        return raise.Select(e => e.Element);
    }
}
