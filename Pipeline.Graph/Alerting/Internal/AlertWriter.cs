using Akka.Event;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting.Internal;

/// <summary>
/// The work of one alert-flow batch: anomalous scored rows become candidate alerts; those already
/// stored (a replay after a crash) pass as they are; the rest are decided by the cooldown policy
/// against the cache (misses read <c>alert_cooldowns</c>); raised alerts, their outbox rows and the
/// new cooldown entries are written in one transaction. A failed batch is retried from the start
/// with backoff, forever; the cache only takes the new entries once the write committed.
/// Used by one task at a time (the flow runs it with parallelism 1).
/// </summary>
internal sealed class AlertWriter
{
    private readonly IAlertStore _store;
    private readonly AlertingSettings _settings;
    private readonly AlertMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log;
    private readonly Random _random;
    private readonly CooldownCache _cache;
    private readonly IReadOnlyList<string> _channels;

    public AlertWriter(IAlertStore store, AlertingSettings settings, AlertMetrics metrics, TimeProvider clock, ILoggingAdapter log, Random random)
    {
        _store = store;
        _settings = settings;
        _metrics = metrics;
        _clock = clock;
        _log = log;
        _random = random;
        _cache = new CooldownCache(settings.CacheSize);
        _channels = settings.Channels;
    }

    public Task<IReadOnlyList<AlertedElement>> ProcessAsync(IReadOnlyList<PipelineElement> batch)
    {
        List<(int Index, Alert Alert)>? candidates = null;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is ScoredElement { Scored.IsAnomaly: true } scored)
            {
                (candidates ??= []).Add((i, Alert.From(scored.Scored, _clock.GetUtcNow())));
            }
        }

        if (candidates is null) return Task.FromResult(PassThrough(batch));
        return WriteWithRetry(batch, candidates);
    }

    private static IReadOnlyList<AlertedElement> PassThrough(IReadOnlyList<PipelineElement> batch)
    {
        var result = new AlertedElement[batch.Count];
        for (var i = 0; i < result.Length; i++) result[i] = new AlertedElement(batch[i], null);
        return result;
    }

    private async Task<IReadOnlyList<AlertedElement>> WriteWithRetry(IReadOnlyList<PipelineElement> batch, List<(int Index, Alert Alert)> candidates)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var emitted = await DecideAndWrite(candidates).ConfigureAwait(false);
                var result = new AlertedElement[batch.Count];
                for (var i = 0; i < result.Length; i++) result[i] = new AlertedElement(batch[i], emitted.GetValueOrDefault(i));
                return result;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var delay = _settings.WriterRetry.Delay(attempt, _random);
                _metrics.RecordWriteRetry();
                _log.Warning(ex, "Alert write of {Candidates} candidates to {Store} failed (attempt {Attempt}); retrying in {DelayMs} ms",
                    candidates.Count, _store.Description, attempt, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _clock).ConfigureAwait(false);
            }
        }
    }

    private async Task<Dictionary<int, Alert>> DecideAndWrite(List<(int Index, Alert Alert)> candidates)
    {
        var existing = await _store.FindExistingAsync(candidates.Select(c => c.Alert.AlertId).Distinct().ToArray(), CancellationToken.None).ConfigureAwait(false);

        var misses = new HashSet<CooldownKey>();
        foreach (var (_, alert) in candidates)
        {
            if (existing.Contains(alert.AlertId)) continue;
            foreach (var key in CooldownPolicy.KeysOf(alert))
            {
                if (!_cache.TryGet(key, out _)) misses.Add(key);
            }
        }

        if (misses.Count > 0)
        {
            var loaded = await _store.LoadCooldownsAsync(misses, CancellationToken.None).ConfigureAwait(false);
            // Stored entries are durable state, so they may enter the cache before this batch commits.
            foreach (var key in misses) _cache.Set(key, loaded.GetValueOrDefault(key));
        }

        var pending = new Dictionary<CooldownKey, CooldownEntry>();
        CooldownEntry? Lookup(CooldownKey key) => pending.TryGetValue(key, out var p) ? p : _cache.TryGet(key, out var c) ? c : null;

        var emitted = new Dictionary<int, Alert>();
        var raised = new List<Alert>();
        var raisedIds = new HashSet<Guid>();
        int duplicates = 0, cooled = 0;
        foreach (var (index, alert) in candidates)
        {
            if (existing.Contains(alert.AlertId) || raisedIds.Contains(alert.AlertId))
            {
                emitted[index] = alert;
                continue;
            }

            switch (_settings.Cooldown.Decide(alert, Lookup))
            {
                case AlertDecision.Raise:
                    foreach (var (key, entry) in CooldownPolicy.EntriesAfter(alert, Lookup)) pending[key] = entry;
                    raised.Add(alert);
                    raisedIds.Add(alert.AlertId);
                    emitted[index] = alert;
                    break;
                case AlertDecision.SuppressDuplicate:
                    duplicates++;
                    break;
                default:
                    cooled++;
                    break;
            }
        }

        if (raised.Count > 0 || pending.Count > 0)
        {
            await _store.WriteAsync(raised, _channels, pending.ToArray(), _clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var (key, entry) in pending) _cache.Set(key, entry);
        foreach (var alert in raised) _metrics.RecordRaised(alert.Severity);
        for (var i = 0; i < duplicates; i++) _metrics.RecordSuppressedDuplicate();
        for (var i = 0; i < cooled; i++) _metrics.RecordSuppressedByCooldown();
        return emitted;
    }
}
