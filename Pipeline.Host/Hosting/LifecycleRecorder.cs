using System.Threading.Channels;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Sinks;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Writes drift events and model-version changes to the lifecycle tables off the stream's thread:
/// callers only enqueue (never block); one background loop writes, retrying a failed write a few
/// times before logging it. The queue is bounded; when a database outage fills it, the oldest
/// mirror rows are dropped — the registry's journal still holds every version. An optional
/// <see cref="Http.ILifecycleObserver"/> (the status page) hears every event as it is queued.
/// </summary>
public sealed class LifecycleRecorder : IAsyncDisposable
{
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateBounded<Func<CancellationToken, Task>>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly ILifecycleStore _store;
    private readonly ILogger _logger;
    private readonly Http.ILifecycleObserver? _observer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts the writer over <paramref name="store"/>; <paramref name="observer"/>, when given, hears every event too.</summary>
    public LifecycleRecorder(ILifecycleStore store, ILogger logger, Http.ILifecycleObserver? observer = null)
    {
        _store = store;
        _logger = logger;
        _observer = observer;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Queues a drift event.</summary>
    public void Record(DriftEvent drift, string modelVersion)
    {
        _observer?.OnDrift(drift, modelVersion);
        _work.Writer.TryWrite(ct => _store.RecordDriftAsync(drift, modelVersion, ct));
    }

    /// <summary>Queues a version row.</summary>
    public void Record(ModelVersionInfo version)
    {
        _observer?.OnModelVersion(version);
        _work.Writer.TryWrite(ct => _store.UpsertModelVersionAsync(version, ct));
    }

    /// <summary>An actor that mirrors every version the registry publishes; subscribe it with <see cref="ModelRegistryProtocol.Subscribe"/>.</summary>
    public Props MirrorProps() => Props.Create(() => new VersionMirror(this));

    /// <summary>Writes what is queued (bounded by a few seconds), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        _stop.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Lifecycle mirror stopped with rows still queued (the registry journal keeps them)");
        }

        await _store.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        await foreach (var write in _work.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await write(_stop.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException && attempt < 5)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "Could not mirror a lifecycle row after {Attempts} attempts; the registry journal keeps it", attempt);
                    break;
                }
            }
        }
    }

    private sealed class VersionMirror : ReceiveActor
    {
        public VersionMirror(LifecycleRecorder recorder)
        {
            Receive<ModelRegistryProtocol.VersionUpdated>(update => recorder.Record(update.Info));
            // A subscriber also gets the promoted and candidate models; the mirror keeps only the versions'
            // rows, and leaving the rest unhandled logged a dead letter at every start and promotion.
            Receive<ModelRegistryProtocol.ModelPromoted>(_ => { });
            Receive<ModelRegistryProtocol.ShadowRequested>(_ => { });
        }
    }
}
