using System.Collections;
using System.Runtime.InteropServices;
using Akka.Configuration;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Sinks;
using Pipeline.Host.Cli;
using Pipeline.Host.Hosting;

namespace Pipeline.Host;

/// <summary>
/// Entry point: <c>Pipeline.Host [verb] [options]</c>. Verbs: run (default), produce, bench,
/// backtest, drift, pbm, replay, redrive, help. Errors a user can fix end in one line on stderr and a non-zero exit:
/// 2 for usage, 1 for configuration and runtime problems.
/// </summary>
public static class Program
{
    /// <summary>The verbs and their one-line descriptions, for <c>help</c>.</summary>
    public static readonly IReadOnlyList<(string Verb, string Description)> Verbs =
    [
        ("run", "run the pipeline (embedded default: in-process broker, synthetic producer, SQLite)"),
        ("produce", "publish synthetic transactions and late labels to Kafka"),
        ("bench", "measure the pipeline against the raw consume rate (--models: algorithm micro-benchmarks)"),
        ("backtest", "score a labelled CSV through score-then-learn and report ROC/PR AUC"),
        ("drift", "replay numbers through ADWIN or DDM and print drift indices as JSON"),
        ("pbm", "inspect a running host: pbm [host:port] [command] (no command: interactive prompt)"),
        ("replay", "re-score from a Kafka offset or time, or a JSONL file, into a separate result set (--into NAME)"),
        ("redrive", "list dead-lettered records, or with --confirm produce them back to the transactions topic"),
        ("help", "this list"),
    ];

    /// <summary>Runs the verb and returns the exit code.</summary>
    public static async Task<int> Main(string[] argv)
    {
        using var cts = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return await RunAsync(argv, Console.Out, Console.Error, cts.Token).ConfigureAwait(false);
    }

    /// <summary>Dispatches <paramref name="argv"/> to a verb; used by <see cref="Main"/> and tests.</summary>
    public static async Task<int> RunAsync(string[] argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var verb = argv.Length > 0 && !argv[0].StartsWith("--", StringComparison.Ordinal) ? argv[0] : "run";
        var rest = verb == "run" && (argv.Length == 0 || argv[0].StartsWith("--", StringComparison.Ordinal)) ? argv : argv[1..];
        try
        {
            var args = CommandLineArgs.Parse(rest);
            return verb switch
            {
                "run" => await RunCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "produce" => await ProduceCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "bench" => await BenchCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "drift" => await DriftCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "backtest" => await BacktestCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "pbm" => await PbmCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "replay" => await ReplayCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "redrive" => await RedriveCommand.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false),
                "help" or "--help" or "-h" => Help(stdout),
                _ => throw new CommandLineException($"unknown verb '{verb}' (try 'help')"),
            };
        }
        catch (CommandLineException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is ConfigurationException or KafkaConfigurationException or StoreUnavailableException or BrokerUnreachableException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The process environment as a dictionary (tests pass their own).</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentVariables() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine("usage: Pipeline.Host [verb] [options]");
        foreach (var (verb, description) in Verbs) stdout.WriteLine($"  {verb,-10} {description}");
        return 0;
    }
}
