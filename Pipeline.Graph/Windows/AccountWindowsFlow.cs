using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Windows.Internal;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows;

/// <summary>
/// Per-account event-time windows (DESIGN §4): turns every <see cref="AcceptedTransaction"/> into a
/// <see cref="FeaturedTransaction"/> carrying its <see cref="AccountFeatures"/>, and passes every
/// other element through unchanged. Output order equals input order.
/// <para>
/// <b>State.</b> Each account's <see cref="AccountState"/> lives in memory while the account is
/// active. When the stage first sees an account — after start, after an idle eviction, or when
/// the record's partition was (re)assigned (its <see cref="Kafka.CommittableOffset.Epoch"/>
/// changed) — it loads the account from the <see cref="IFeatureStateStore"/> in batches
/// (<c>load-batch</c>) without blocking other accounts; that account's records wait, in order, and
/// later elements are held behind them to keep the output order. On a reassignment the stored
/// state replaces the one in memory only if it is further along on the same partition. Every
/// account has its own event time, so a quiet account never holds back another.
/// </para>
/// <para>
/// <b>Checkpoints and crash safety.</b> Changed accounts are written in batches of at most
/// <c>checkpoint-batch</c>: when that many changed, when <c>max-in-flight</c> elements are held,
/// every <c>checkpoint-interval</c>, and on completion. A transaction that changed its account is
/// emitted only after a checkpoint containing the change was acknowledged, so a committed offset
/// is never ahead of the stored state. After a crash Kafka redelivers from the committed offset;
/// records already in the stored state are recognised by the account's last applied position and
/// not counted twice, the rest are applied: the features continue exactly as if nothing happened.
/// (A checkpoint <em>behind</em> a committed offset would lose the records between them — they
/// would never be redelivered — which is why emission waits for the checkpoint; a checkpoint
/// ahead of the committed offset is harmless.) Stores refuse a checkpoint older than the one they
/// hold for the same partition, so a host that lost a partition cannot overwrite its new owner.
/// </para>
/// <para>
/// <b>In-process store.</b> An <see cref="InMemoryFeatureStateStore"/> dies with the process, so a
/// per-record checkpoint into it protects nothing the live state does not: with it the stage
/// emits without waiting, loads a new account at once (the store answers synchronously), and
/// hands an account's state object over to the store only when the account leaves the stage — idle
/// eviction, stream stop (completion, failure or cancellation), or a load of the account by
/// another flow sharing the store (the partition moved to another consumer of this process), which
/// the store serves only after this stage wrote and released the account. A graph restarted in the
/// same process, or a partition handed between its consumers, therefore continues from the latest
/// state; redelivered records are recognised as replays as above.
/// </para>
/// <para>
/// <b>Store outages.</b> A failed or timed-out (<c>store-timeout</c>) load or checkpoint degrades
/// the stage: a warning is logged, <c>pipeline_feature_store_degraded</c> is 1, elements are emitted
/// without waiting for checkpoints, new accounts start empty instead of being loaded, idle
/// accounts stay in memory, and checkpoints are retried every <c>retry-interval</c>. The first
/// successful checkpoint ends the degradation. While degraded the crash guarantee above does not
/// hold; the stream never fails or stalls because of the store.
/// </para>
/// <para>
/// <b>Idle accounts.</b> An account without records for <c>idle-ttl</c> (evicted between 1 and 1.25
/// times <c>idle-ttl</c>, on the materializer's scheduler) is dropped from memory once its state is
/// in the store.
/// </para>
/// <para>
/// <b>Read-ahead.</b> While upstream has further elements at hand (they arrive within the same
/// pass of the stream's interpreter) the stage takes in up to four transactions before
/// featurizing the oldest, and starts loading each held transaction's account into the processor
/// cache meanwhile: with many accounts in memory that overlaps the memory waits of consecutive
/// transactions. It never waits for upstream: whatever is held is featurized as soon as the
/// interpreter has nothing else to do, when upstream completes, and before any timer or store
/// callback looks at the accounts. Output order and features are the same as without it.
/// </para>
/// <para>
/// Emits in input order once the head element is featurized and checkpointed; backpressures when
/// <c>max-in-flight</c> elements are held or downstream does; completes after upstream completes,
/// every held element is emitted and the last checkpoint is written (or the store is degraded);
/// fails when upstream fails (held elements are dropped; their offsets were never committed, so
/// they replay); cancels upstream when downstream cancels. Materialized value: <see cref="NotUsed"/>.
/// Reads <c>pipeline.windows</c> through <see cref="WindowSettings"/>.
/// </para>
/// </summary>
public static class AccountWindowsFlow
{
    /// <summary>The account-window flow over <paramref name="store"/>.</summary>
    /// <param name="settings">Windows, checkpointing and store behaviour.</param>
    /// <param name="store">Where account state is checkpointed; may be shared by several flows.</param>
    /// <param name="clock">Measures store latencies.</param>
    /// <param name="metrics">This flow's metrics.</param>
    /// <param name="log">Warnings about store outages and unreadable states.</param>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(
        WindowSettings settings, IFeatureStateStore store, TimeProvider clock, WindowsMetrics metrics, ILoggingAdapter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(log);
        return Flow.FromGraph(new AccountWindowsStage(settings, store, clock, metrics, log));
    }

    /// <summary>
    /// The store <paramref name="settings"/> select: an <see cref="InMemoryFeatureStateStore"/>, or a
    /// connected <see cref="RedisFeatureStateStore"/> (dispose it with <see cref="IAsyncDisposable"/>
    /// when the host stops). Redis need not be up: the store reconnects in the background.
    /// </summary>
    public static async Task<IFeatureStateStore> CreateStoreAsync(WindowSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Store == FeatureStoreKind.Redis
            ? await RedisFeatureStateStore.ConnectAsync(settings.Redis).ConfigureAwait(false)
            : new InMemoryFeatureStateStore(settings.MemoryTtl, clock);
    }
}
