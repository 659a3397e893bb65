using System.Globalization;
using Pipeline.Host.Hosting;
using Pipeline.Host.Replay;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>redrive</c>: re-drives quarantined records after a fix (a raised limit, a corrected producer).
/// Without <c>--confirm</c> it is a dry run: it lists the dead letters that match and produces
/// nothing. With <c>--confirm</c> it produces each one's original bytes, keyed as originally, back to
/// the transactions topic, where the running pipeline decodes it again (dedupe and idempotent writes
/// make a repeated re-drive harmless). Only metadata is ever printed, never a record's bytes.
/// </summary>
/// <remarks>
/// Options: <c>--from dlq</c> (the only source: the dead-letter topic holds the exact original bytes;
/// the quarantine table holds them PII-masked and is refused), <c>--reason a,b</c>, <c>--stage
/// decode|schema|rule</c>, <c>--since RFC3339</c> (read by the pipeline at or after), <c>--limit N</c>,
/// <c>--show N</c> (matches listed, default 50), <c>--confirm</c>, <c>--config</c>, <c>--set</c>.
/// Needs an external cluster (<c>KAFKA_BOOTSTRAP_SERVERS</c>); for the embedded mode use the inspector:
/// <c>pbm … dlq show</c> / <c>dlq redrive --confirm</c>. Exit codes: 0 done, 1 a broker or delivery
/// problem, 2 usage, 130 interrupted.
/// </remarks>
public static class RedriveCommand
{
    /// <summary>Runs the verb.</summary>
    public static async Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var overlay = args.String("config");
        var sets = args.String("set");
        var from = args.String("from", "dlq");
        var filter = ParseFilter(args.String("reason"), args.String("stage"), args.String("since"), args.Has("limit") ? args.Long("limit", 0, 1) : null);
        var show = args.Int("show", 50, 0, 1_000_000);
        var confirm = args.Flag("confirm");
        args.EnsureAllUsed();
        if (from == "quarantine")
        {
            throw new CommandLineException("--from quarantine is refused: the quarantine table keeps card numbers and e-mails masked, so re-driving it would feed masked values back as data; the dead-letter topic (--from dlq) keeps the exact original bytes");
        }

        if (from != "dlq") throw new CommandLineException($"option --from must be dlq, got '{from}'");

        var options = RunOptions.Create(PipelineConfigLoader.Load(Program.EnvironmentVariables(), overlay, sets));
        try
        {
            if (options.Embedded)
            {
                throw new ReplayException("redrive reads an external cluster: set KAFKA_BOOTSTRAP_SERVERS (the embedded broker lives inside the running host: use 'pbm <host:port> dlq show' and 'dlq redrive --confirm' there)");
            }

            Preflight.ValidateKafka(options);
            var graph = options.Graph;
            Preflight.CheckBroker(graph.Consumer.BootstrapServers, TimeSpan.FromSeconds(10));
            var redrive = new DeadLetterRedrive([.. graph.Consumer.Properties], graph.DeadLetterTopic, graph.TransactionsTopic, graph.DeadLetterProducer);
            var listed = 0;
            async Task List(DeadLetterEntry e)
            {
                if (listed++ < show) await stdout.WriteLineAsync(Describe(e, redrive.DeadLetterTopic)).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync($"{(confirm ? "re-driving" : "dry run, listing")} dead letters of {graph.DeadLetterTopic} ({filter}) up to its end offsets now").ConfigureAwait(false);
            var result = confirm
                ? await redrive.RedriveAsync(filter, List, ct).ConfigureAwait(false)
                : await redrive.DryRunAsync(filter, List, ct).ConfigureAwait(false);
            if (listed > show) await stdout.WriteLineAsync($"… {listed - show} more not listed (--show)").ConfigureAwait(false);
            foreach (var line in Report(result, confirm, graph.TransactionsTopic)) await stdout.WriteLineAsync(line).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is ReplayException or Pipeline.Graph.Kafka.KafkaConsumerException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("redrive interrupted").ConfigureAwait(false);
            return 130;
        }
    }

    /// <summary>Builds a filter from the command-line texts (reasons comma-separated).</summary>
    /// <exception cref="CommandLineException">A value is malformed.</exception>
    public static DeadLetterFilter ParseFilter(string? reasons, string? stage, string? since, long? limit)
    {
        if (stage is not (null or "decode" or "schema" or "rule")) throw new CommandLineException($"option --stage must be decode, schema or rule, got '{stage}'");
        var set = (reasons ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new DeadLetterFilter(set, stage, since is null ? null : ReplayStart.ParseTime(since, "since"), limit);
    }

    /// <summary>One line describing a dead letter: coordinates, reason, size — never its bytes.</summary>
    public static string Describe(DeadLetterEntry e, string deadLetterTopic) => string.Create(
        CultureInfo.InvariantCulture,
        $"  {deadLetterTopic}/{e.Partition}@{e.Offset}  read {e.ReceivedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}  {e.Stage}/{e.Reason}  from {e.SourceTopic}/{e.SourcePartition}@{e.SourceOffset}  {(e.Exact ? $"{e.Value.Length} bytes" : $"cut to {e.Value.Length} of {e.TruncatedFrom} bytes, not re-drivable")}  {e.Detail}");

    /// <summary>The closing lines of a run.</summary>
    public static IEnumerable<string> Report(RedriveResult result, bool confirmed, string transactionsTopic)
    {
        var reasons = result.ByReason.Count == 0 ? string.Empty : " (" + string.Join(", ", result.ByReason.Select(kv => $"{kv.Key}: {kv.Value}")) + ")";
        yield return $"{result.Matched} dead letters match{reasons}";
        if (result.Truncated > 0)
        {
            yield return $"{result.Truncated} of them were cut by the dead-letter producer and are never re-driven: their full bytes exist only PII-masked in the quarantine table";
        }

        yield return confirmed
            ? $"re-drove {result.Produced} records to {transactionsTopic}, keyed as originally; the pipeline decodes them again (records already processed are deduplicated)"
            : $"dry run: nothing was produced; repeat with --confirm to produce {result.Matched - result.Truncated} records to {transactionsTopic}";
    }
}
