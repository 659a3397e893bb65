using Akka;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Sinks;

namespace Pipeline.Host.Hosting;

/// <summary>
/// What one running host holds: its options, the store opened in preflight, the embedded broker
/// (when embedded), the metrics, and — once the graph runs — its control. Registered as a
/// singleton so HTTP endpoints and the progress reporter read the same state.
/// </summary>
public sealed class PipelineRuntime(RunOptions options, ITransactionStore store, IAlertStore? alertStore, PipelineMetrics metrics, MockKafkaCluster? embeddedBroker, string bootstrapServers)
{
    /// <summary>The host's options.</summary>
    public RunOptions Options { get; } = options;

    /// <summary>The store opened in preflight.</summary>
    public ITransactionStore Store { get; } = store;

    /// <summary>The alert store opened in preflight; null when the store kind keeps no rows.</summary>
    public IAlertStore? AlertStore { get; } = alertStore;

    /// <summary>The graph's metrics.</summary>
    public PipelineMetrics Metrics { get; } = metrics;

    /// <summary>The in-process broker of the embedded mode, else null.</summary>
    public MockKafkaCluster? EmbeddedBroker { get; } = embeddedBroker;

    /// <summary>The cluster the graph consumes from.</summary>
    public string BootstrapServers { get; } = bootstrapServers;

    /// <summary>The model registry's persistence (journal and snapshots).</summary>
    public required Pipeline.Graph.Retraining.PersistenceSettings Persistence { get; init; }

    /// <summary>Where drift events and model versions are mirrored (the store's database); null when no rows are kept.</summary>
    public Pipeline.Graph.Sinks.ILifecycleStore? LifecycleStore { get; init; }

    /// <summary>The model registry actor, once started.</summary>
    public Akka.Actor.IActorRef? Registry { get; set; }

    /// <summary>The running graph's control; null until started and after it stopped.</summary>
    public DrainingControl<Done>? Control { get; set; }

    /// <summary>Set when the graph failed; readiness reports it.</summary>
    public Exception? Failure { get; set; }
}
