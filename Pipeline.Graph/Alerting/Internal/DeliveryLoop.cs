using Akka;
using Akka.Event;
using Akka.Util;
using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting.Internal;

/// <summary>
/// The claim side and the post side of one generation of a delivery stream. Claims are pulled on
/// demand (the throttle and the posts backpressure them), so rows are claimed only shortly before
/// they can be posted; a row whose lease would end before a post could finish is released instead of
/// posted. A 429 pauses the whole channel until its Retry-After. Posts of one claim never share an
/// account (the claim takes only the oldest pending row per account), so parallel posts keep each
/// account's order. After an empty claim it waits for the poll interval, cut short when the store it
/// reads signals that this process wrote new alerts (<see cref="OutboxSignal"/>): an alert raised here
/// does not wait out the poll interval before it is claimed.
/// </summary>
internal sealed class DeliveryLoop
{
    private readonly IAlertStore _store;
    private readonly IAlertChannel _channel;
    private readonly OutboxSettings _outbox;
    private readonly AlertMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log;
    private readonly Random _random;
    private readonly CancellationToken _stopping;
    private readonly int _claimSize;
    private readonly OutboxSignal? _written;
    private long _pausedUntilTicks;
    private long _lastStatsTimestamp;
    private bool _statsRecorded;

    public DeliveryLoop(
        IAlertStore store, IAlertChannel channel, OutboxSettings outbox, AlertMetrics metrics, TimeProvider clock, ILoggingAdapter log,
        Random random, string owner, CancellationToken stopping)
    {
        _store = store;
        _channel = channel;
        _outbox = outbox;
        _metrics = metrics;
        _clock = clock;
        _log = log;
        _random = random;
        Owner = owner;
        _stopping = stopping;
        _written = (store as IOutboxSignalSource)?.OutboxWritten;
        // Rows wait in the throttle after being claimed: never claim more than half a lease's worth of posts.
        _claimSize = channel.Rate is { } rate
            ? (int)Math.Clamp(Math.Floor(rate * outbox.Lease.TotalSeconds / 2), 1, outbox.Batch)
            : outbox.Batch;
    }

    public string Owner { get; }

    private DateTimeOffset PausedUntil => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);

    public async Task<Option<(int, IReadOnlyList<OutboxEntry>)>> NextAsync(int round)
    {
        while (!_stopping.IsCancellationRequested)
        {
            var now = _clock.GetUtcNow();
            var paused = PausedUntil;
            if (now < paused)
            {
                if (!await Wait(paused - now).ConfigureAwait(false)) break;
                continue;
            }

            await RefreshStatsIfDue().ConfigureAwait(false);
            // Taken before the claim: a write committing while the claim runs still ends the wait below.
            var written = _written?.Next;
            var rows = await _store.ClaimAsync(_channel.Name, Owner, _claimSize, now, _outbox.Lease, CancellationToken.None).ConfigureAwait(false);
            var toSend = new List<OutboxEntry>(rows.Count);
            foreach (var row in rows)
            {
                if (row.Alert.Severity >= _channel.MinimumSeverity)
                {
                    toSend.Add(row);
                    continue;
                }

                await _store.CompleteAsync(row, Owner, OutboxCompletion.Skipped(now, $"below minimum severity {_channel.MinimumSeverity}"), CancellationToken.None).ConfigureAwait(false);
                _metrics.RecordDelivery(_channel.Name, AlertMetrics.Skipped);
            }

            if (toSend.Count > 0) return Option<(int, IReadOnlyList<OutboxEntry>)>.Create((round + 1, toSend));
            if (rows.Count == 0 && !await Wait(_outbox.PollInterval, written).ConfigureAwait(false)) break;
        }

        return Option<(int, IReadOnlyList<OutboxEntry>)>.None;
    }

    public async Task<Done> DeliverAsync(OutboxEntry entry)
    {
        var now = _clock.GetUtcNow();
        if (_stopping.IsCancellationRequested)
        {
            // Stopping: rows claimed but not yet posted go back at once instead of being drained one post at a time.
            await _store.CompleteAsync(entry, Owner, OutboxCompletion.Release(now, now), CancellationToken.None).ConfigureAwait(false);
            return Done.Instance;
        }

        var paused = PausedUntil;
        if (now < paused)
        {
            await _store.CompleteAsync(entry, Owner, OutboxCompletion.Release(now, paused), CancellationToken.None).ConfigureAwait(false);
            return Done.Instance;
        }

        if (entry.LeaseUntil - now < _channel.Timeout)
        {
            // The post could outlive the lease and race another host's claim: hand the row back instead.
            await _store.CompleteAsync(entry, Owner, OutboxCompletion.Release(now, now), CancellationToken.None).ConfigureAwait(false);
            return Done.Instance;
        }

        // In-flight posts are not cancelled on stop: each is bounded by the channel timeout, and a
        // cancelled post could have reached the receiver without being marked.
        var result = await _channel.SendAsync(entry.Alert, CancellationToken.None).ConfigureAwait(false);
        var at = _clock.GetUtcNow();
        var alertId = entry.Alert.AlertId;
        switch (result.Kind)
        {
            case DeliveryResultKind.Delivered:
                _metrics.RecordDelivery(_channel.Name, AlertMetrics.Delivered);
                _metrics.RecordDeliveryLatency(_channel.Name, at - entry.Alert.CreatedAt);
                if (!await _store.CompleteAsync(entry, Owner, OutboxCompletion.Delivered(at), CancellationToken.None).ConfigureAwait(false))
                {
                    _log.Warning("Alert {AlertId} was delivered on {Channel} after its lease was taken over; the receiver may see it twice (it carries X-Alert-Id)", alertId, _channel.Name);
                }

                break;

            case DeliveryResultKind.RateLimited:
            {
                var wait = result.RetryAfter is { } asked ? (asked > _outbox.Retry.Max ? _outbox.Retry.Max : asked) : Backoff(entry.Attempts + 1);
                var next = at + wait;
                Pause(next);
                _metrics.RecordDelivery(_channel.Name, AlertMetrics.RateLimited);
                _log.Warning("Alert {AlertId} on {Channel} was rate limited ({Error}); channel paused for {WaitMs} ms", alertId, _channel.Name, result.Error, (long)wait.TotalMilliseconds);
                await _store.CompleteAsync(entry, Owner, OutboxCompletion.Retry(at, next, result.Error ?? "HTTP 429", countsAsAttempt: false), CancellationToken.None).ConfigureAwait(false);
                break;
            }

            case DeliveryResultKind.Transient when entry.Attempts + 1 < _outbox.MaxAttempts:
            {
                var wait = Backoff(entry.Attempts + 1);
                _metrics.RecordDelivery(_channel.Name, AlertMetrics.Retried);
                _log.Warning("Alert {AlertId} on {Channel} failed ({Error}), attempt {Attempt} of {MaxAttempts}; retrying in {WaitMs} ms",
                    alertId, _channel.Name, result.Error, entry.Attempts + 1, _outbox.MaxAttempts, (long)wait.TotalMilliseconds);
                await _store.CompleteAsync(entry, Owner, OutboxCompletion.Retry(at, at + wait, result.Error ?? "transient error"), CancellationToken.None).ConfigureAwait(false);
                break;
            }

            default:
                _metrics.RecordDelivery(_channel.Name, AlertMetrics.Failed);
                _log.Error("Alert {AlertId} on {Channel} given up after {Attempts} attempts ({Error}); the outbox row is marked dead",
                    alertId, _channel.Name, entry.Attempts + 1, result.Error);
                await _store.CompleteAsync(entry, Owner, OutboxCompletion.Dead(at, result.Error ?? "failed"), CancellationToken.None).ConfigureAwait(false);
                break;
        }

        return Done.Instance;
    }

    private TimeSpan Backoff(int attempt)
    {
        lock (_random) return _outbox.Retry.Delay(attempt, _random);
    }

    private void Pause(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _pausedUntilTicks);
            if (seen >= ticks) return;
        }
        while (Interlocked.CompareExchange(ref _pausedUntilTicks, ticks, seen) != seen);
    }

    private async Task RefreshStatsIfDue()
    {
        if (_statsRecorded && _clock.GetElapsedTime(_lastStatsTimestamp) < _outbox.PollInterval) return;
        var stats = await _store.GetOutboxStatsAsync(_channel.Name, CancellationToken.None).ConfigureAwait(false);
        var oldest = stats.OldestPendingCreatedAt is { } created ? _clock.GetUtcNow() - created : TimeSpan.Zero;
        _metrics.RecordOutbox(_channel.Name, stats.Depth, oldest);
        _lastStatsTimestamp = _clock.GetTimestamp();
        _statsRecorded = true;
    }

    /// <returns>False when the wait was cut short by stopping.</returns>
    private async Task<bool> Wait(TimeSpan delay, Task? wake = null)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var elapsed = Task.Delay(delay, _clock, timer.Token);
        if (wake is not null && await Task.WhenAny(elapsed, wake).ConfigureAwait(false) == wake)
        {
            // Woken by a write: release the timer now rather than when it would have fired.
            await timer.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await elapsed.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The timer was released (woken) or the stream is stopping; the caller checks which.
        }

        return !_stopping.IsCancellationRequested;
    }
}
