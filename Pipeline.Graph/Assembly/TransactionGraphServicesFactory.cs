using Akka.Event;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Windows;
using Pipeline.Models.Features;
using Prometheus;

namespace Pipeline.Graph.Assembly;

/// <summary>Builds the graph's collaborators from its settings, the way the host runs them.</summary>
public static class TransactionGraphServicesFactory
{
    /// <summary>
    /// The feature store <c>pipeline.windows.store</c> selects, a fresh model from
    /// <c>pipeline.scoring</c>, and metrics in <paramref name="registry"/> (the default registry when null).
    /// Dispose the returned feature store when the graph has stopped.
    /// </summary>
    public static async Task<TransactionGraphServices> CreateAsync(
        TransactionGraphSettings settings, ITransactionStore store, PipelineMetrics metrics, TimeProvider clock, ILoggingAdapter log, CollectorRegistry? registry = null)
    {
        var featureStore = await AccountWindowsFlow.CreateStoreAsync(settings.Windows, clock).ConfigureAwait(false);
        var scorer = ModelTransactionScorer.Create(settings.Scoring, AccountFeatures.Names(settings.Windows.Sizes));
        return new TransactionGraphServices(scorer, featureStore, store, metrics, clock, log, new WindowsMetrics(registry));
    }
}
