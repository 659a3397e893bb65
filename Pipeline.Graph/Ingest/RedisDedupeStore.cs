using Akka.Event;
using StackExchange.Redis;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// The production dedupe store: one Redis key per transaction id, <c>{key-prefix}{transaction_id}</c>,
/// whose value is the coordinates (<c>topic/partition/offset</c>) of the record that claimed it, written with
/// <c>SET key value NX EX ttl</c> so the first claim wins and expires after the TTL. Shared by every host of
/// the consumer group, and it survives restarts.
/// </summary>
/// <remarks>
/// <para><b>One round-trip per batch.</b> Each claim sends <c>SET … NX EX</c> followed by <c>GET</c> of the same
/// key, all claims of a batch pipelined in one <see cref="IBatch"/>. Redis runs them in order, so the
/// <c>GET</c> answers who owns the id after the claim: this record (first sighting, or the same record
/// delivered again) or another one (a duplicate). Works with every Redis version (no <c>SET NX GET</c>, which
/// needs 7.0).</para>
/// <para><b>Crash safety.</b> Because the value is the claiming record's coordinates, a record re-delivered
/// after a crash between the claim and its row write is recognised as its own claim and processed again (the
/// row write is idempotent); a bare "seen" flag would have made it a duplicate and lost the transaction.</para>
/// <para><b>Redis unavailable.</b> The store never stalls the stream: when the connection is down, or a batch
/// gets no answer within <c>redis.timeout</c>, or Redis answers with an error, the batch is decided by the
/// in-memory fallback store, a warning is logged once per outage, <c>pipeline_dedupe_fallback_total</c> counts
/// the claims and <c>pipeline_dedupe_degraded</c> is 1. Redis is tried again at most every
/// <c>redis.retry-interval</c>; the first answered batch ends the outage (logged). During an outage
/// duplicates are only caught within this host and since the outage began; a missed duplicate costs no second
/// row when its event time is the same (the store's writes are idempotent). Claims decided by the fallback are
/// not copied to Redis afterwards.</para>
/// <para>The multiplexer belongs to the caller (the host shares one); this store never closes it.</para>
/// </remarks>
public sealed class RedisDedupeStore : IDedupeStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly DedupeSettings _settings;
    private readonly InMemoryDedupeStore _fallback;
    private readonly DataQualityMetrics _metrics;
    private readonly ILoggingAdapter _log;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _ttl;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private bool _degraded;

    /// <summary>A store over <paramref name="redis"/> with <paramref name="fallback"/> for outages.</summary>
    public RedisDedupeStore(
        IConnectionMultiplexer redis, DedupeSettings settings, InMemoryDedupeStore fallback, DataQualityMetrics metrics, ILoggingAdapter log, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(fallback);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(clock);
        _redis = redis;
        _settings = settings;
        _fallback = fallback;
        _metrics = metrics;
        _log = log;
        _clock = clock;
        _ttl = settings.Ttl;
        // Endpoints only: the configuration string may hold a password.
        Description = "redis:" + string.Join(",", redis.GetEndPoints().Select(e => e.ToString()));
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>True while the fallback decides (Redis unavailable).</summary>
    public bool Degraded => _degraded;

    /// <summary>The Redis key of <paramref name="transactionId"/>.</summary>
    public RedisKey KeyOf(Guid transactionId) => _settings.RedisKeyPrefix + transactionId.ToString("D");

    /// <inheritdoc />
    public async Task<bool[]> ClaimAsync(IReadOnlyList<DedupeClaim> claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (claims.Count == 0) return [];
        var now = _clock.GetUtcNow();
        if (_degraded && now < _retryAt) return Fallback(claims, null);
        if (!_redis.IsConnected) return Fallback(claims, "the connection is down");

        var owners = new Task<RedisValue>[claims.Count];
        var sets = new Task[claims.Count];
        var values = new RedisValue[claims.Count];
        try
        {
            var batch = _redis.GetDatabase().CreateBatch();
            for (var i = 0; i < claims.Count; i++)
            {
                var key = KeyOf(claims[i].TransactionId);
                values[i] = claims[i].Coordinates;
                sets[i] = batch.StringSetAsync(key, values[i], _ttl, When.NotExists);
                owners[i] = batch.StringGetAsync(key);
            }

            batch.Execute();
            await Task.WhenAll(sets.Concat(owners)).WaitAsync(_settings.RedisTimeout, _clock, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Observe(sets, owners);
            return Fallback(claims, ex.Message);
        }

        if (_degraded)
        {
            _degraded = false;
            _metrics.SetDedupeDegraded(false);
            _log.Info("Dedupe store {Store} answers again; duplicates are checked in Redis from now on", Description);
        }

        var verdicts = new bool[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            // No owner means the key vanished between SET and GET (expired or evicted under memory pressure):
            // process the record rather than risk losing it.
            var owner = owners[i].Result;
            verdicts[i] = owner.HasValue && owner != values[i];
        }

        return verdicts;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _fallback.DisposeAsync();

    private bool[] Fallback(IReadOnlyList<DedupeClaim> claims, string? cause)
    {
        if (cause is not null)
        {
            _retryAt = _clock.GetUtcNow() + _settings.RedisRetryInterval;
            if (!_degraded)
            {
                _degraded = true;
                _metrics.SetDedupeDegraded(true);
                _log.Warning(
                    "Dedupe store {Store} is unavailable ({Cause}); deciding duplicates in memory (this host only) and trying Redis again every {RetryMs} ms",
                    Description, cause, (long)_settings.RedisRetryInterval.TotalMilliseconds);
            }
        }

        _metrics.RecordDedupeFallback(claims.Count);
        return _fallback.Claim(claims);
    }

    // Commands of an abandoned batch may still fail later; observe them so they are not reported as unobserved.
    private static void Observe(Task[] sets, Task<RedisValue>[] owners)
    {
        foreach (var task in sets.Concat(owners))
        {
            if (task is null) continue;
            _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
