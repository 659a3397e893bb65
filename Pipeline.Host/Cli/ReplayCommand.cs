using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Pipeline.Graph.Sinks;
using Pipeline.Host.Hosting;
using Pipeline.Host.Replay;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>replay</c>: re-scores past transactions into a separate, named result set with the live
/// graph's decode, windows and scoring code, leaving the live tables, the live consumer group's
/// offsets, the dead-letter topic, alert delivery and the model registry untouched.
/// </summary>
/// <remarks>
/// Source, exactly one of: <c>--from-offset N | P:N[,P:N…]</c> (Kafka, the transactions topic),
/// <c>--from-time RFC3339</c> (Kafka, the first record at or after it in each partition) or
/// <c>--file x.jsonl</c> (one transaction JSON per line). A Kafka replay stops at each partition's end
/// offset captured when it starts; it needs an external cluster (<c>KAFKA_BOOTSTRAP_SERVERS</c>).
/// <c>--into NAME</c> (required; a-z, 0-9, _): the result set — SQLite file <c>replay_NAME.db</c> beside the
/// live database, or PostgreSQL schema <c>replay_NAME</c>; a result set that already holds rows is refused
/// unless <c>--replace</c> deletes it first. <c>--model active|fresh</c> (active): a copy of the registry's
/// active model, or a fresh one from <c>pipeline.scoring</c>. <c>--progress DURATION</c> (2s).
/// <c>--config</c>, <c>--set</c>: as for <c>run</c>. Exit codes: 0 done, 1 a source, store or broker problem,
/// 2 usage, 130 interrupted (the rows written so far stay).
/// </remarks>
public static class ReplayCommand
{
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the verb.</summary>
    public static async Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var overlay = args.String("config");
        var sets = args.String("set");
        var fromOffset = args.String("from-offset");
        var fromTime = args.String("from-time");
        var file = args.String("file");
        var into = args.Required("into");
        var replace = args.Flag("replace");
        var model = args.String("model", "active");
        var progressInterval = args.Duration("progress", TimeSpan.FromSeconds(2));
        args.EnsureAllUsed();

        if (new[] { fromOffset, fromTime, file }.Count(s => s is not null) != 1)
        {
            throw new CommandLineException("name exactly one source: --from-offset N|P:N[,P:N], --from-time RFC3339 or --file x.jsonl");
        }

        if (!ReplayResultSet.IsValidName(into)) throw new CommandLineException($"option --into must be 1-40 characters of a-z, 0-9 and _, got '{into}'");
        if (model is not ("active" or "fresh")) throw new CommandLineException($"option --model must be active or fresh, got '{model}'");
        if (progressInterval <= TimeSpan.Zero) throw new CommandLineException("option --progress must be positive");
        var start = fromOffset is not null ? ReplayStart.ParseOffsets(fromOffset)
            : fromTime is not null ? ReplayStart.FromTime(ReplayStart.ParseTime(fromTime, "from-time"))
            : null;

        var environment = Program.EnvironmentVariables();
        var config = PipelineConfigLoader.Load(environment, overlay, sets);
        var options = RunOptions.Create(config);
        var settings = ReplayRunner.ForReplay(options.Graph);
        try
        {
            if (file is not null && !File.Exists(file)) throw new ReplayException($"input file not found: {Path.GetFullPath(file)}");
            IReadOnlyList<PartitionRange>? ranges = null;
            string? replayGroup = null;
            if (start is not null)
            {
                if (options.Embedded)
                {
                    throw new ReplayException("a replay from Kafka reads an external cluster: set KAFKA_BOOTSTRAP_SERVERS (the embedded broker lives inside the running host); or replay a --file");
                }

                Preflight.ValidateKafka(options);
                Preflight.CheckBroker(settings.Consumer.BootstrapServers, BrokerTimeout);
                ranges = KafkaReplayPlanner.Plan(settings.Consumer.Properties, settings.TransactionsTopic, start, BrokerTimeout);
                replayGroup = $"{settings.Consumer.GroupId}-replay-{into}";
            }

            var resultSet = ReplayResultSet.Resolve(settings.Store, into, environment);
            var existing = await resultSet.CountRowsAsync(ct).ConfigureAwait(false);
            if (existing > 0 && !replace)
            {
                throw new ReplayException($"result set '{into}' already holds {existing} rows ({resultSet.Description}); choose another --into name or add --replace to delete it first");
            }

            if (existing > 0 || replace) await resultSet.DeleteAsync(ct).ConfigureAwait(false);

            var persistence = Preflight.Persistence(config, options.Graph.Store, environment);
            var system = ActorSystem.Create("replay", ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                """).WithFallback(persistence.ToAkkaConfig()).WithFallback(config));
            try
            {
                var (scorer, modelDescription) = await ReplayModel.LoadAsync(system, settings, persistence, model == "active", TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                var store = await resultSet.OpenAsync(ct).ConfigureAwait(false);
                await using (store.ConfigureAwait(false))
                {
                    var runner = new ReplayRunner(system, settings, scorer, store, stdout, progressInterval);
                    ReplaySummary summary;
                    if (ranges is not null)
                    {
                        await stdout.WriteLineAsync($"replaying {settings.TransactionsTopic} from {start} ({ranges.Sum(r => r.Count):N0} records in {ranges.Count} partitions, up to the end offsets captured now) with {modelDescription} into {resultSet.Description}").ConfigureAwait(false);
                        foreach (var note in ranges.Select(r => r.Note).OfType<string>()) await stdout.WriteLineAsync(note).ConfigureAwait(false);
                        if (ranges.Count == 0)
                        {
                            await stdout.WriteLineAsync("nothing to replay: no records at or after that point").ConfigureAwait(false);
                            return 0;
                        }

                        KafkaReplayPlanner.CommitStart(settings.Consumer.Properties, replayGroup!, ranges, BrokerTimeout);
                        summary = await runner.RunKafkaAsync(settings.Consumer.WithGroupId(replayGroup!), ranges, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await stdout.WriteLineAsync($"replaying {Path.GetFullPath(file!)} with {modelDescription} into {resultSet.Description}").ConfigureAwait(false);
                        summary = await runner.RunFileAsync(file!, ct).ConfigureAwait(false);
                    }

                    await stdout.WriteLineAsync(Summary(summary, resultSet)).ConfigureAwait(false);
                    return summary.Cancelled ? 130 : 0;
                }
            }
            finally
            {
                await system.Terminate().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ReplayException or Pipeline.Graph.Kafka.KafkaConsumerException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("replay interrupted").ConfigureAwait(false);
            return 130;
        }
    }

    private static string Summary(ReplaySummary s, ReplayResultSet resultSet)
    {
        var where = resultSet.Schema is { } schema
            ? $"tables scored_transactions and quarantine in schema {schema} (SET search_path TO {schema})"
            : $"tables scored_transactions and quarantine in {resultSet.SqlitePath}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"replay {(s.Cancelled ? "interrupted" : "done")} in {s.Elapsed.TotalSeconds:0.0} s: {s.Records:N0} records, {s.Scored:N0} scored, {s.Quarantined:N0} quarantined, {s.Duplicates:N0} duplicates skipped, {s.Anomalies:N0} anomalies; results in {where}");
    }
}
