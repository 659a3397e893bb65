using System.Diagnostics;
using System.Globalization;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Windows;
using Prometheus;

namespace Pipeline.Host.Replay;

/// <summary>
/// Runs a replay: records from a Kafka range or a JSON Lines file go through the live graph's own
/// stages — decode and validate, dedupe, PII protection, account windows, scoring — into a
/// <see cref="ReplayResultSet"/> through the live store classes, and nowhere else:
/// <list type="bullet">
/// <item>its consumer uses the replay's own group and commits nothing, so the live group's offsets never move;</item>
/// <item>account windows and dedupe start empty and live in memory (never the live Redis state);</item>
/// <item>quarantined records go to the result set's quarantine table (PII-masked, as live), not to the dead-letter topic;</item>
/// <item>no alerts are raised or delivered (flagged rows carry their severity and reasons);</item>
/// <item>the model is a private copy (<see cref="ReplayModel"/>) that is never written back.</item>
/// </list>
/// It stops at the end offsets captured when it started (or at the end of the file) and prints a
/// progress line every <c>progressInterval</c>.
/// </summary>
public sealed class ReplayRunner(ActorSystem system, TransactionGraphSettings settings, ModelTransactionScorer scorer, ITransactionStore store, TextWriter progress, TimeSpan progressInterval)
{
    private readonly ILoggingAdapter _log = Logging.GetLogger(system, "pipeline.replay");

    /// <summary>
    /// The graph settings a replay runs with: <paramref name="live"/> with windows and dedupe in memory
    /// (a replay must neither read nor overwrite the live Redis state).
    /// </summary>
    public static TransactionGraphSettings ForReplay(TransactionGraphSettings live) => live with
    {
        Windows = live.Windows with { Store = FeatureStoreKind.Memory },
        Dedupe = live.Dedupe with { Store = "memory" },
    };

    /// <summary>Replays <paramref name="ranges"/> of the transactions topic with <paramref name="consumer"/> (the replay's own group, already pointed at each range's start).</summary>
    public Task<ReplaySummary> RunKafkaAsync(ConsumerSettings<string, byte[]> consumer, IReadOnlyList<PartitionRange> ranges, CancellationToken ct)
    {
        var tracker = new ReplayTracker(ranges.ToDictionary(r => r.TopicPartition, r => r.End));
        var total = ranges.Sum(r => r.Count);
        var source = KafkaConsumer.CommittableSource(ReplayConsumer(consumer), Subscriptions.Assignment(ranges.Select(r => r.TopicPartition).ToArray()));
        return RunAsync(source, tracker, static e => e, () => $"of {total.ToString("N0", CultureInfo.InvariantCulture)}", feed: null, ct);
    }

    /// <summary>Replays the JSON Lines file at <paramref name="path"/> through a private in-process broker.</summary>
    public async Task<ReplaySummary> RunFileAsync(string path, CancellationToken ct)
    {
        using var broker = MockKafkaCluster.Start();
        const string topic = "replay-file";
        broker.CreateTopic(topic, 1);
        var tracker = new ReplayTracker(ends: null);
        var feeder = new JsonlFeeder(path, tracker, settings.Ingest.ToDecoderLimits(TimeProvider.System), TimeProvider.System);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageMaxBytes = settings.Ingest.MaxPayloadBytes + 65_536,
        }).SetLogHandler((_, _) => { }).Build();
        var consumer = ReplayConsumer(settings.Consumer.WithBootstrapServers(broker.BootstrapServers).WithGroupId("replay-file"))
            .WithProperty("auto.offset.reset", "earliest");
        var partition = new TopicPartition(topic, 0);
        var source = KafkaConsumer.CommittableSource(consumer, Subscriptions.Assignment(partition));

        // Quarantine rows name the file and line instead of the private topic and offset.
        PipelineElement Relabel(PipelineElement e) => e is QuarantinedRecord q
            ? q with { Entry = q.Entry with { Topic = feeder.SourceName, Partition = 0, Offset = JsonlFeeder.LineOf(q.Key) } }
            : e;

        var fed = false;
        async Task Feed(CancellationToken stop)
        {
            var sent = await feeder.FeedAsync(producer, topic, entry => store.WriteBatchAsync([], [entry], stop), stop).ConfigureAwait(false);
            tracker.SetEnds(new Dictionary<TopicPartition, long> { [partition] = sent });
            fed = true;
        }

        string Total() => fed ? $"of {feeder.Lines:N0} lines" : $"of {feeder.Lines:N0} lines so far";
        var summary = await RunAsync(source, tracker, Relabel, Total, Feed, ct).ConfigureAwait(false);
        if (feeder.BlankLines > 0) await progress.WriteLineAsync($"skipped {feeder.BlankLines} blank lines").ConfigureAwait(false);
        return summary;
    }

    // The replay's consumer never commits (it never feeds a committer) and closes at once when done.
    private static ConsumerSettings<string, byte[]> ReplayConsumer(ConsumerSettings<string, byte[]> consumer) =>
        consumer.WithCommitMode(CommitMode.Synchronous).WithStopTimeout(TimeSpan.Zero).WithClientId("pipeline-replay");

    private async Task<ReplaySummary> RunAsync(
        Source<CommittableMessage<string, byte[]>, IControl> source,
        ReplayTracker tracker,
        Func<PipelineElement, PipelineElement> relabel,
        Func<string> total,
        Func<CancellationToken, Task>? feed,
        CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var registry = Metrics.NewCustomRegistry();
        var metrics = new PipelineMetrics(registry);
        var clock = TimeProvider.System;
        var services = await TransactionGraphServicesFactory.CreateAsync(settings, store, null, metrics, clock, _log, registry).ConfigureAwait(false);
        try
        {
            var materializer = system.Materializer(namePrefix: "replay");
            var ((control, kill), done) = source
                .Where(m => tracker.Admit(m.Record))
                .ViaMaterialized(KillSwitches.Single<CommittableMessage<string, byte[]>>(), Keep.Both)
                .Via(DecodeFlow.Create(settings.Ingest, clock, metrics))
                .Select(relabel)
                .Via(DedupeFlow.Create(services.DedupeStore, settings.Dedupe, services.DataQuality))
                .Via(ProtectPiiFlow.Create(settings.Pii, services.DataQuality, _log))
                .Via(AccountWindowsFlow.Create(settings.Windows, services.FeatureStore, clock, services.WindowsMetrics, _log))
                .Via(ScoringFlow.Create(scorer, metrics))
                .Select(tracker.Count)
                .Via(StoreFlow.Create(store, settings.Store, metrics, clock, _log))
                .ToMaterialized(Sink.Ignore<CommittableOffset>(), Keep.Both)
                .Run(materializer);

            using var stopFeed = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var feeding = feed?.Invoke(stopFeed.Token) ?? Task.CompletedTask;
            var cancelled = false;
            var stopping = false;
            var lastReport = watch.Elapsed;
            while (!done.IsCompleted)
            {
                await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None)).ConfigureAwait(false);
                if (feeding.IsFaulted && !stopping)
                {
                    // The file could not be fed: stop, then report the feeder's error below.
                    kill.Shutdown();
                    stopping = true;
                }

                if (ct.IsCancellationRequested && !stopping)
                {
                    kill.Shutdown();
                    stopping = cancelled = true;
                }

                if (!stopping && feeding.IsCompletedSuccessfully && tracker.ReachedEnd(Status(control)))
                {
                    kill.Shutdown();
                    stopping = true;
                }

                if (watch.Elapsed - lastReport >= progressInterval)
                {
                    lastReport = watch.Elapsed;
                    await progress.WriteLineAsync(
                        $"progress: {tracker.Read:N0} records read ({total()}), {tracker.Scored:N0} scored, {tracker.Quarantined:N0} quarantined, {tracker.Anomalies:N0} anomalies, {metrics.Stored:N0} stored").ConfigureAwait(false);
                }
            }

            await stopFeed.CancelAsync().ConfigureAwait(false);
            await control.Shutdown().ConfigureAwait(false);
            await done.ConfigureAwait(false);
            try
            {
                await feeding.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancelled)
            {
                // Stopped by the user.
            }

            return new ReplaySummary(tracker.Read, tracker.Scored, tracker.Anomalies, tracker.Quarantined, tracker.Duplicates, watch.Elapsed, cancelled);
        }
        finally
        {
            await TransactionGraphServicesFactory.DisposeAsync(services).ConfigureAwait(false);
        }
    }

    private static ConsumerStatus? Status(IControl control)
    {
        try
        {
            return control.Status();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
