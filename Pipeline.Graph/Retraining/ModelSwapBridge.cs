using Akka.Actor;
using Akka.Event;
using Pipeline.Models.Anomaly;
using static Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// Subscribes to the model registry and hands its promotions and shadow requests to a running
/// scoring stage through its <see cref="IModelSwapHandle"/>, restoring the model bytes off the
/// stream's thread. One bridge per materialized scoring stage.
/// </summary>
public sealed class ModelSwapBridge : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Use <see cref="Props"/>; public for Props.Create.</summary>
    public ModelSwapBridge(IActorRef registry, IModelSwapHandle handle, TransactionModelConfiguration configuration)
    {
        Receive<ModelPromoted>(p => handle.Offer(Read(p.Model, configuration), p.Version));
        Receive<ShadowRequested>(s => handle.BeginShadow(Read(s.Model, configuration), s.Version));
        Receive<VersionUpdated>(_ => { });
        registry.Tell(new Subscribe(Self));
        _log.Debug("Scoring stage subscribed to the model registry");
    }

    /// <summary>Props of a bridge from <paramref name="registry"/> to <paramref name="handle"/>.</summary>
    public static Props Props(IActorRef registry, IModelSwapHandle handle, TransactionModelConfiguration configuration) =>
        Akka.Actor.Props.Create(() => new ModelSwapBridge(registry, handle, configuration));

    private static TransactionAnomalyModel Read(byte[] bytes, TransactionModelConfiguration configuration)
    {
        using var input = new MemoryStream(bytes, writable: false);
        return TransactionAnomalyModel.ReadFrom(input, configuration);
    }
}
