using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Graph.Alerting;
using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Outputs;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Lifecycle;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Runs the transaction graph for the host's lifetime: materializes it when the host starts, logs
/// a progress line every <c>pipeline.progress-interval</c> (rate, totals, lag, latency), and on
/// SIGINT/SIGTERM drains it — stop the source, let in-flight records reach the store, commit, close
/// the consumer — within <c>pipeline.shutdown.drain-timeout</c>.
/// </summary>
public sealed class PipelineService(
    ActorSystem system,
    PipelineRuntime runtime,
    IHostApplicationLifetime lifetime,
    ILogger<PipelineService> logger,
    IEnumerable<IPipelineCompanion> companions,
    Http.IStatusFeed? statusFeed = null,
    Http.ILifecycleObserver? lifecycleObserver = null) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _progress;
    private readonly List<Task> _companions = [];
    private TransactionGraphServices? _services;
    private (IModelSwapHandle Handle, ILabelSink Sink)? _labelTargets;
    private DrainingControl<Done>? _labels;
    private LifecycleRecorder? _recorder;
    private DriftEventPublisher? _driftPublisher;
    private readonly List<AlertDeliveryControl> _deliveries = [];
    private HttpClient? _http;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var materializer = system.Materializer(namePrefix: "pipeline");
        var settings = runtime.Options.GraphOn(runtime.BootstrapServers, runtime.EmbeddedBroker is not null);
        var services = await TransactionGraphServicesFactory.CreateAsync(
            settings, runtime.Store, runtime.AlertStore, runtime.Metrics, TimeProvider.System, Logging.GetLogger(system, "pipeline.graph")).ConfigureAwait(false);
        if (statusFeed is not null) services = services with { OnScored = statusFeed.RecordScored };
        var outputs = OutputSettings.Create(runtime.Options.Config).WithBootstrapServers(runtime.BootstrapServers);
        if (outputs.ScoredEnabled) services = services with { ScoredOutput = ScoredKafkaOutput.Create(outputs.ScoredProducer, outputs.ScoredTopic) };
        if (outputs.DriftEnabled) _driftPublisher = DriftEventPublisher.Start(outputs, materializer, Logging.GetLogger(system, "pipeline.outputs"));
        services = services with { Lifecycle = await StartLifecycleAsync(settings, services).ConfigureAwait(false) };
        _services = services;
        var control = TransactionGraph.Create(settings, services).Run(materializer);
        runtime.Control = control;
        StartLabels(settings, materializer);
        logger.LogInformation("Pipeline started: consuming {Topic} from {Bootstrap} (mode {Mode}), features in {FeatureStore}, model {ModelVersion}, storing to {Store}",
            settings.TransactionsTopic, runtime.BootstrapServers, runtime.Options.Embedded ? "embedded" : "external", services.FeatureStore.Description, services.Scorer.ModelVersion, runtime.Store.Description);

        _ = control.StreamCompletion.ContinueWith(t =>
        {
            if (t.IsFaulted && !_stopping.IsCancellationRequested)
            {
                runtime.Failure = t.Exception?.GetBaseException();
                logger.LogCritical(runtime.Failure, "Pipeline stream failed; stopping the host");
                lifetime.StopApplication();
            }
        }, TaskScheduler.Default);

        StartAlertDelivery(settings, services, materializer);
        _progress = ReportProgressAsync(_stopping.Token);
        foreach (var companion in companions) _companions.Add(WatchAsync(companion));
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_companions.Select(IgnoreCancellation)).ConfigureAwait(false);
        var control = runtime.Control;
        if (control is null) return;
        var watch = Stopwatch.StartNew();
        logger.LogInformation("Draining the pipeline (trigger: host stop); waiting up to {TimeoutSeconds}s for in-flight records", runtime.Options.DrainTimeout.TotalSeconds);
        try
        {
            await control.DrainAndShutdown().WaitAsync(runtime.Options.DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            logger.LogInformation("Pipeline drained in {ElapsedMs} ms: {Stored} rows stored, {Committed} offsets committed",
                watch.ElapsedMilliseconds, runtime.Metrics.Stored, runtime.Metrics.Committed);
        }
        catch (TimeoutException)
        {
            logger.LogError("Pipeline did not drain within {TimeoutSeconds}s; uncommitted records will be consumed again on restart", runtime.Options.DrainTimeout.TotalSeconds);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Pipeline stopped with a failure");
        }
        finally
        {
            runtime.Control = null;
            if (_labels is not null) await _labels.DrainAndShutdown().WaitAsync(runtime.Options.DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            if (_driftPublisher is not null) await _driftPublisher.DisposeAsync().ConfigureAwait(false);
            foreach (var delivery in _deliveries) await delivery.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            _http?.Dispose();
            if (_progress is not null) await IgnoreCancellation(_progress).ConfigureAwait(false);
            if (_services is not null) await TransactionGraphServicesFactory.DisposeAsync(_services).ConfigureAwait(false);
            if (_recorder is not null) await _recorder.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Delayed labels feed DDM (errors of past decisions) and the shadow evaluation of a candidate.
    // Their own consumer group, so label lag never holds back transactions.
    private void StartLabels(TransactionGraphSettings settings, IMaterializer materializer)
    {
        if (_labelTargets is not var (handle, sink)) return;
        var consumer = settings.Consumer.WithGroupId(settings.Consumer.GroupId + "-labels");
        _labels = KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(runtime.Options.LabelsTopic))
            .Via(LabelsFlow.Create(
                label =>
                {
                    sink.OnLabel(label);
                    handle.OnLabel(label);
                },
                reason => logger.LogWarning("Skipped an invalid label record ({Reason})", reason)))
            .ToMaterialized(Committer.Sink(settings.Committer), Keep.Both)
            .MapMaterializedValue(pair => DrainingControl<Done>.Create(pair.Item1, pair.Item2))
            .Run(materializer);
        logger.LogInformation("Consuming delayed labels from {Topic}", runtime.Options.LabelsTopic);
    }

    // The registry is the only writer of models: it recovers the active model (or adopts the fresh
    // one on first start), the scoring stage swaps in what it promotes, and drift asks it to retrain.
    private async Task<ModelLifecycleParts> StartLifecycleAsync(TransactionGraphSettings settings, TransactionGraphServices services)
    {
        var lifecycle = LifecycleSettings.Create(runtime.Options.Config);
        var configuration = ModelTransactionScorer.Configuration(settings.Scoring);
        var sample = new TrainingSample(lifecycle.SampleSize);
        var retrainer = system.ActorOf(RetrainingActor.SupervisedProps(lifecycle, sample, configuration), "retraining");
        var registry = system.ActorOf(ModelRegistryActor.Props(lifecycle, retrainer), "model-registry");
        runtime.Registry = registry;
        var fresh = ((ModelTransactionScorer)services.Scorer).Model;
        using var bytes = new MemoryStream();
        fresh.WriteTo(bytes);
        var active = await registry.Ask<ModelRegistryProtocol.ActiveModel>(new ModelRegistryProtocol.Bootstrap(bytes.ToArray(), fresh.LearnCount), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        using var activeBytes = new MemoryStream(active.Model);
        var scorer = new ModelTransactionScorer(TransactionAnomalyModel.ReadFrom(activeBytes, configuration), active.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        logger.LogInformation("Model registry active version {Version} (learned {LearnCount} transactions)", active.Version, scorer.Model.LearnCount);
        if (runtime.LifecycleStore is { } lifecycleStore)
        {
            _recorder = new LifecycleRecorder(lifecycleStore, logger, lifecycleObserver);
            var history = await registry.Ask<ModelRegistryProtocol.History>(ModelRegistryProtocol.GetHistory.Instance, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            foreach (var version in history.Versions) _recorder.Record(version);
            registry.Tell(new ModelRegistryProtocol.Subscribe(system.ActorOf(_recorder.MirrorProps(), "model-versions-mirror")));
        }

        return new ModelLifecycleParts
        {
            Scorer = scorer,
            Version = active.Version,
            Settings = lifecycle,
            Drift = DriftSettings.Create(runtime.Options.Config),
            Sample = sample,
            Listener = new RegistryLifecycleListener(registry),
            Metrics = new LifecycleMetrics(),
            // No sender: the registry's reply (accepted or refused) is for operators, not for the stream's actor.
            OnDrift = e =>
            {
                _recorder?.Record(e, scorer.ModelVersion);
                _driftPublisher?.Publish(e, scorer.ModelVersion);
                registry.Tell(new ModelRegistryProtocol.RequestRetrain($"{e.Detector} drift on {e.Signal}"), ActorRefs.Nobody);
            },
            OnMaterialized = (handle, labels) =>
            {
                system.ActorOf(ModelSwapBridge.Props(registry, handle, configuration), "model-swap-bridge");
                _labelTargets = (handle, labels);
            },
        };
    }

    // One delivery stream per enabled channel reads the outbox; Slack and webhooks never touch ingestion.
    private void StartAlertDelivery(TransactionGraphSettings settings, TransactionGraphServices services, IMaterializer materializer)
    {
        var alerting = settings.Alerting;
        if (services.AlertStore is null || !alerting.Enabled) return;
        var log = Logging.GetLogger(system, "pipeline.alerts");
        var channels = new List<IAlertChannel>();
        if (alerting.ConsoleEnabled) channels.Add(new ConsoleChannel(Console.Out));
        if (alerting.Slack.Enabled || alerting.Webhook.Enabled)
        {
            _http = AlertHttp.CreateClient(TimeSpan.FromSeconds(5));
            if (alerting.Slack.Enabled) channels.Add(new SlackChannel(_http, alerting, TimeProvider.System));
            if (alerting.Webhook.Enabled) channels.Add(new WebhookChannel(_http, alerting, TimeProvider.System));
        }

        foreach (var channel in channels)
        {
            _deliveries.Add(AlertDelivery.Create(services.AlertStore, channel, alerting, services.AlertMetrics, TimeProvider.System, log, Environment.MachineName).Run(materializer));
        }

        logger.LogInformation("Alert delivery started for {Channels}", string.Join(", ", channels.Select(c => c.Name)));
    }

    private async Task ReportProgressAsync(CancellationToken ct)
    {
        var interval = runtime.Options.ProgressInterval;
        var lastStored = 0.0;
        var watch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var stored = runtime.Metrics.Stored;
            var elapsed = watch.Elapsed;
            watch.Restart();
            LogProgress(stored - lastStored, elapsed.TotalSeconds, elapsed);
            lastStored = stored;
        }
    }

    private void LogProgress(double delta, double seconds, TimeSpan _)
    {
        var lag = ConsumerLag.Update(runtime);
        var latency = runtime.Metrics.EndToEnd;
        logger.LogInformation(
            "Progress: {RatePerSecond:0} rows/s, {Accepted} accepted, {Quarantined} quarantined, {Stored} stored, {Committed} committed, lag {Lag}, p50 {P50Ms:0.0} ms, p99 {P99Ms:0.0} ms",
            seconds > 0 ? delta / seconds : 0,
            runtime.Metrics.Accepted,
            runtime.Metrics.Quarantined,
            runtime.Metrics.Stored,
            runtime.Metrics.Committed,
            lag,
            latency.Quantile(0.5).TotalMilliseconds,
            latency.Quantile(0.99).TotalMilliseconds);
    }

    // A companion that fails (the embedded producer) would leave the graph waiting for input that never comes:
    // the host stops with the error, as it does when the stream fails, instead of running on silently.
    private async Task WatchAsync(IPipelineCompanion companion)
    {
        try
        {
            await companion.RunAsync(runtime, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping is the expected end of a companion.
        }
        catch (Exception ex)
        {
            runtime.Failure ??= ex;
            logger.LogCritical(ex, "{Companion} failed; stopping the host", companion.GetType().Name);
            lifetime.StopApplication();
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the expected end of these loops.
        }
    }
}
