using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Where alerts, their outbox rows and the cooldown state live (tables <c>alerts</c>,
/// <c>alert_outbox</c>, <c>alert_cooldowns</c>). Writes are idempotent on the alert id, so a replay
/// adds nothing. Claims hand each due row to one caller at a time under a lease. Implementations
/// are safe to call from several streams at once and never block the caller's thread.
/// </summary>
public interface IAlertStore : IAsyncDisposable
{
    /// <summary>A short name for logs (<c>postgres:host:port/db</c>, <c>sqlite:/path</c>); no credentials.</summary>
    string Description { get; }

    /// <summary>Prepares the store (SQLite creates its tables; PostgreSQL checks the migrated tables exist).</summary>
    /// <exception cref="Sinks.StoreUnavailableException">The store cannot be used; the message says why in one line.</exception>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="alertIds"/> are already in <c>alerts</c> (replays).</summary>
    Task<IReadOnlySet<Guid>> FindExistingAsync(IReadOnlyCollection<Guid> alertIds, CancellationToken cancellationToken);

    /// <summary>The stored cooldown entries of <paramref name="keys"/>; keys without an entry are absent from the result.</summary>
    Task<IReadOnlyDictionary<CooldownKey, CooldownEntry>> LoadCooldownsAsync(IReadOnlyCollection<CooldownKey> keys, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: inserts <paramref name="alerts"/> (existing ids are left alone), one pending
    /// outbox row per alert and channel in <paramref name="channels"/> (existing rows left alone), in
    /// alert order, and upserts <paramref name="cooldowns"/> (an entry never moves back in event time).
    /// </summary>
    /// <returns>How many alerts were new.</returns>
    Task<int> WriteAsync(
        IReadOnlyList<Alert> alerts,
        IReadOnlyList<string> channels,
        IReadOnlyList<KeyValuePair<CooldownKey, CooldownEntry>> cooldowns,
        DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> due rows of <paramref name="channel"/> for <paramref name="owner"/>
    /// until <paramref name="now"/> + <paramref name="lease"/>: pending, <c>next_attempt_at</c> reached, not
    /// leased or lease expired, and the oldest pending row of their account (so an account's alerts go out
    /// in order). Rows another caller is claiming at the same moment are skipped, never waited for.
    /// </summary>
    /// <returns>The claimed rows in insertion order.</returns>
    Task<IReadOnlyList<OutboxEntry>> ClaimAsync(string channel, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="completion"/> to the row of <paramref name="entry"/> if <paramref name="owner"/> still holds its lease.</summary>
    /// <returns>False when the lease was lost (another stream claimed the row), so nothing changed.</returns>
    Task<bool> CompleteAsync(OutboxEntry entry, string owner, OutboxCompletion completion, CancellationToken cancellationToken);

    /// <summary>Releases every lease <paramref name="owner"/> holds on <paramref name="channel"/> (clean shutdown), so other streams need not wait for expiry.</summary>
    /// <returns>The number of rows released.</returns>
    Task<int> ReleaseLeasesAsync(string channel, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The waiting rows of <paramref name="channel"/>.</summary>
    Task<OutboxStats> GetOutboxStatsAsync(string channel, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="count"/> alerts, newest first, with their delivery state per channel.</summary>
    Task<IReadOnlyList<RecentAlert>> RecentAsync(int count, CancellationToken cancellationToken);
}
