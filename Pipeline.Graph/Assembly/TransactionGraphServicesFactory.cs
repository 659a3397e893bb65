using Akka.Event;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Windows;
using Pipeline.Models.Features;
using Prometheus;
using StackExchange.Redis;

namespace Pipeline.Graph.Assembly;

/// <summary>Builds the graph's collaborators from its settings, the way the host runs them.</summary>
public static class TransactionGraphServicesFactory
{
    /// <summary>
    /// The feature store <c>pipeline.windows.store</c> selects, a fresh model from
    /// <c>pipeline.scoring</c>, and metrics in <paramref name="registry"/> (the default registry when null).
    /// Dispose the returned feature and dedupe stores when the graph has stopped (<see cref="DisposeAsync"/>).
    /// </summary>
    public static async Task<TransactionGraphServices> CreateAsync(
        TransactionGraphSettings settings, ITransactionStore store, IAlertStore? alertStore, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, CollectorRegistry? registry = null)
    {
        var featureStore = await AccountWindowsFlow.CreateStoreAsync(settings.Windows, clock).ConfigureAwait(false);
        var scorer = ModelTransactionScorer.Create(settings.Scoring, AccountFeatures.Names(settings.Windows.Sizes));
        var dataQuality = new DataQualityMetrics(registry);
        IDedupeStore dedupe = settings.Dedupe.Store == "redis"
            ? new RedisDedupeStore(
                await ConnectionMultiplexer.ConnectAsync(RedisFeatureStateStore.ToOptions(settings.Windows.Redis)).ConfigureAwait(false),
                settings.Dedupe,
                settings.Dedupe.CreateMemoryStore(clock),
                dataQuality,
                log,
                clock)
            : settings.Dedupe.CreateMemoryStore(clock);
        return new TransactionGraphServices(scorer, featureStore, dedupe, store, metrics, clock, log, new WindowsMetrics(registry), dataQuality, alertStore, new AlertMetrics(registry));
    }

    /// <summary>Releases the stores <see cref="CreateAsync"/> opened.</summary>
    public static async Task DisposeAsync(TransactionGraphServices services)
    {
        if (services.FeatureStore is IAsyncDisposable features) await features.DisposeAsync().ConfigureAwait(false);
        await services.DedupeStore.DisposeAsync().ConfigureAwait(false);
    }
}
