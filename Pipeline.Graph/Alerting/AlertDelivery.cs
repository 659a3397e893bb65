using Akka;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Alerting.Internal;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// The delivery stream of one channel (DESIGN §1, §4): a long-running stream, separate from the main
/// graph, that claims due rows of the channel's outbox under a lease, posts each alert, and marks the
/// row delivered, skipped, scheduled for retry, or dead. Failures of the receiver never reach ingestion.
/// <list type="bullet">
/// <item><b>Claims</b> at most <c>outbox.batch</c> due rows (never more than the channel's rate × lease / 2)
/// with <c>FOR UPDATE SKIP LOCKED</c> and a lease of <c>outbox.lease</c>; several hosts never hold the
/// same row, and a row whose lease expired (its host died) is claimed by anyone. Only the oldest
/// pending row of each account is claimable, so an account's alerts are delivered in order. After an
/// empty claim it waits <c>outbox.poll-interval</c>, or less: when the store is the instance this process's
/// alert flow writes through (as the host wires them), a write of new alerts ends the wait at once, so
/// the interval only bounds how soon alerts written by other hosts are seen.</item>
/// <item><b>Skips</b> rows below the channel's minimum severity (Slack: <c>min-severity-for-slack</c>) — marked skipped.</item>
/// <item><b>Throttles</b> posts to the channel's <c>rate</c> with <c>burst</c> (Akka Throttle, shaping), with at most
/// <c>outbox.parallelism</c> posts in flight.</item>
/// <item><b>Retries</b> 5xx, 408, timeouts and network errors with exponential backoff and jitter
/// (<c>outbox.min-backoff</c>, <c>max-backoff</c>, <c>random-factor</c>), recording <c>attempts</c>,
/// <c>next_attempt_at</c> and <c>last_error</c>; after <c>outbox.max-attempts</c>, or on any other 4xx, the
/// row is marked dead. A 429 schedules the row after its <c>Retry-After</c> (seconds or HTTP-date, capped
/// at <c>max-backoff</c>), pauses the whole channel until then, and does not count as an attempt.</item>
/// <item><b>Restarts</b> with exponential backoff and jitter (<c>delivery.restart.*</c>) when it fails (database
/// errors); rows claimed by the failed generation are claimed again when their lease expires.</item>
/// </list>
/// Metrics: deliveries by outcome, delivery latency, outbox depth and oldest pending age (refreshed at
/// most every poll interval). Materialized value: <see cref="AlertDeliveryControl"/>; the graph runs
/// until <see cref="AlertDeliveryControl.StopAsync"/>. Each <see cref="Create"/> call gives a graph to
/// materialize once.
/// </summary>
public static class AlertDelivery
{
    /// <summary>The delivery stream of <paramref name="channel"/>.</summary>
    /// <param name="store">The alert store, initialized.</param>
    /// <param name="channel">Where alerts go.</param>
    /// <param name="settings">The <c>pipeline.alerting</c> settings (<c>outbox</c>, <c>delivery.restart</c>).</param>
    /// <param name="metrics">Alert metrics.</param>
    /// <param name="clock">Wall clock: leases, retry times, pauses.</param>
    /// <param name="log">Logs retries, give-ups and restarts; never URLs or secrets.</param>
    /// <param name="hostId">Names this host in <c>lease_owner</c> (with a per-stream suffix).</param>
    /// <param name="jitter">Random source of retry jitter; null for a fixed seed.</param>
    public static IRunnableGraph<AlertDeliveryControl> Create(
        IAlertStore store,
        IAlertChannel channel,
        AlertingSettings settings,
        AlertMetrics metrics,
        TimeProvider clock,
        ILoggingAdapter log,
        string hostId,
        Random? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrEmpty(hostId);

        var stopping = new CancellationTokenSource();
        var random = jitter ?? new Random(29);
        var instance = Guid.NewGuid().ToString("N")[..8];
        var generation = 0;
        string? owner = null;
        var control = new AlertDeliveryControl(channel.Name, stopping, store, clock, () => Volatile.Read(ref owner));

        var restart = RestartSettings.Create(settings.DeliveryRestart.Min, settings.DeliveryRestart.Max, settings.DeliveryRestart.RandomFactor);
        return RestartSource.OnFailuresWithBackoff(() =>
            {
                var current = $"{hostId}/{channel.Name}/{instance}/{Interlocked.Increment(ref generation)}";
                Volatile.Write(ref owner, current);
                var loop = new DeliveryLoop(store, channel, settings.Outbox, metrics, clock, log, random, current, stopping.Token);
                var claimed = Source.UnfoldAsync<int, IReadOnlyList<OutboxEntry>>(0, loop.NextAsync).SelectMany(rows => rows);
                if (channel.Rate is { } rate)
                {
                    var per = TimeSpan.FromTicks(Math.Max(1, (long)(TimeSpan.TicksPerSecond / rate)));
                    claimed = claimed.Throttle(1, per, channel.Burst, ThrottleMode.Shaping);
                }

                return claimed.SelectAsync(settings.Outbox.Parallelism, loop.DeliverAsync);
            }, restart)
            .ViaMaterialized(KillSwitches.Single<Done>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Both)
            .MapMaterializedValue(pair => control.Attach(pair.Item1, pair.Item2))
            .Named($"alert-delivery-{channel.Name}");
    }
}
