using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Host.Producing;
using Pipeline.Models.Synthetic;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>produce</c>: publishes the seeded synthetic scenario (normal → drift → attack) to Kafka with delayed labels.
/// </summary>
/// <remarks>
/// Options: <c>--bootstrap host:port</c> (else the environment variable <c>KAFKA_BOOTSTRAP_SERVERS</c>; required),
/// <c>--count N</c> (default 10000, split 80/10/10 over the phases), <c>--phases normal:N,drift:N,attack:N</c>
/// (overrides the split; must add up to <c>--count</c> when both are given), <c>--accounts N</c> (200),
/// <c>--seed N</c> (42), <c>--rate N</c> transactions/s (1000; 0 = unlimited), <c>--topic</c> (transactions),
/// <c>--labels-topic</c> (transaction-labels), <c>--label-delay</c> (30s), <c>--attack-fraction</c> (0.1),
/// <c>--mean-interval</c> mean event-time gap between transactions (1s), <c>--start</c> RFC 3339 event time of the
/// scenario start (default: early enough that the last transaction and its label are in the past, so consumers
/// that reject future timestamps accept them all).
/// Prints a progress line at most every 500 ms and a summary; exit code 0 when every message was acknowledged,
/// 1 when a delivery failed or the client hit a fatal error.
/// </remarks>
public static class ProduceCommand
{
    private const long DefaultCount = 10_000;
    private static readonly TimeSpan s_startMargin = TimeSpan.FromMinutes(5);

    // RFC 3339 with a mandatory offset: "Z" (read as UTC) or ±hh:mm, with or without a fraction.
    private static readonly string[] s_startFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    /// <summary>Runs the verb.</summary>
    public static Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, TimeProvider.System, ct);

    internal static async Task<int> RunAsync(
        CommandLineArgs args,
        TextWriter stdout,
        TextWriter stderr,
        Func<string, string?> environment,
        TimeProvider time,
        CancellationToken ct)
    {
        var options = ParseOptions(args, environment, time.GetUtcNow());
        args.EnsureAllUsed();

        var generator = options.Generator;
        await stdout.WriteLineAsync(
            $"producing {generator.TotalCount} transactions (normal {generator.NormalCount}, drift {generator.DriftCount}, attack {generator.AttackCount}) "
            + $"for {generator.Accounts} accounts, seed {generator.Seed}, to {options.TransactionsTopic} and {options.LabelsTopic} at {options.BootstrapServers}, "
            + $"rate {(options.RatePerSecond == 0 ? "unlimited" : Invariant(options.RatePerSecond) + "/s")}").ConfigureAwait(false);

        var producer = new SyntheticProducer(options, new ProgressWriter(stdout), new TextWriterLogger(stderr), time);
        var summary = await producer.RunAsync(ct).ConfigureAwait(false);

        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-3);
        await stdout.WriteLineAsync(
            $"{(summary.Cancelled ? "cancelled after" : "produced")} {summary.Sent} transactions in {Invariant(seconds, "0.0")} s ({Invariant(summary.Sent / seconds, "0")}/s): "
            + $"normal {summary.SentNormal}, drift {summary.SentDrift}, attack {summary.SentAttack}; anomalies {summary.Anomalies}; labels {summary.LabelsSent}").ConfigureAwait(false);
        await stdout.WriteLineAsync(
            $"delivered {summary.Delivered}, failed {summary.Failed}, unacknowledged {summary.Outstanding}, local queue full {summary.QueueFullWaits} times").ConfigureAwait(false);
        if (summary.FirstError is { } error) await stderr.WriteLineAsync($"produce: {error}").ConfigureAwait(false);
        return summary.Succeeded ? 0 : 1;
    }

    internal static SyntheticProducerOptions ParseOptions(CommandLineArgs args, Func<string, string?> environment, DateTimeOffset now)
    {
        var bootstrap = args.String("bootstrap") ?? environment("KAFKA_BOOTSTRAP_SERVERS");
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new CommandLineException("option --bootstrap is required when KAFKA_BOOTSTRAP_SERVERS is not set");
        }

        var countGiven = args.Has("count");
        var count = args.Long("count", DefaultCount, 0, int.MaxValue);
        var (normal, drift, attack) = args.String("phases") is { } phases
            ? ParsePhases(phases)
            : (count - (2 * (count / 10)), count / 10, count / 10);
        if (countGiven && normal + drift + attack != count)
        {
            throw new CommandLineException($"option --phases adds up to {normal + drift + attack}, but --count is {count}");
        }

        if (normal + drift + attack > int.MaxValue)
        {
            throw new CommandLineException($"option --phases must add up to at most {int.MaxValue}");
        }

        var labelDelay = args.Duration("label-delay", TimeSpan.FromSeconds(30));
        var meanInterval = args.Duration("mean-interval", TimeSpan.FromSeconds(1));
        if (meanInterval < TimeSpan.FromMilliseconds(1) || meanInterval > TimeSpan.FromDays(1))
        {
            throw new CommandLineException($"option --mean-interval must be between 1ms and 24h, got {meanInterval}");
        }

        if (labelDelay > TimeSpan.FromDays(365)) throw new CommandLineException($"option --label-delay must be at most 365 days, got {labelDelay}");

        var total = normal + drift + attack;
        var start = args.String("start") is { } startText
            ? ParseStart(startText)
            : DefaultStart(now, total, meanInterval, labelDelay);

        return new SyntheticProducerOptions
        {
            BootstrapServers = bootstrap,
            TransactionsTopic = NonEmpty(args, "topic", "transactions"),
            LabelsTopic = NonEmpty(args, "labels-topic", "transaction-labels"),
            RatePerSecond = args.Double("rate", 1000, 0, 10_000_000),
            Generator = new GeneratorOptions
            {
                Accounts = args.Int("accounts", 200, 1, 1_000_000),
                Seed = args.Long("seed", 42),
                NormalCount = (int)normal,
                DriftCount = (int)drift,
                AttackCount = (int)attack,
                AttackFraction = args.Double("attack-fraction", 0.1, 0, 1),
                LabelDelay = labelDelay,
                MeanInterArrival = meanInterval,
                Start = start,
            },
        };
    }

    /// <summary>Parses <c>normal:8000,drift:1000,attack:1000</c>; phases left out produce nothing.</summary>
    internal static (long Normal, long Drift, long Attack) ParsePhases(string text)
    {
        var counts = new Dictionary<GenerationPhase, long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !Enum.TryParse<GenerationPhase>(part[..colon], ignoreCase: true, out var phase)
                || !Enum.IsDefined(phase)
                || !long.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || n > int.MaxValue)
            {
                throw new CommandLineException($"option --phases must look like normal:8000,drift:1000,attack:1000, got '{part}'");
            }

            if (!counts.TryAdd(phase, n)) throw new CommandLineException($"option --phases names {part[..colon]} twice");
        }

        if (counts.Count == 0) throw new CommandLineException("option --phases names no phase");
        return (counts.GetValueOrDefault(GenerationPhase.Normal), counts.GetValueOrDefault(GenerationPhase.Drift), counts.GetValueOrDefault(GenerationPhase.Attack));
    }

    /// <summary>
    /// A start far enough back that the scenario's expected span (with 10% headroom for the randomness of the gaps),
    /// the label delay and a margin all end before <paramref name="now"/>.
    /// </summary>
    internal static DateTimeOffset DefaultStart(DateTimeOffset now, long total, TimeSpan meanInterval, TimeSpan labelDelay)
    {
        var span = TimeSpan.FromTicks((long)Math.Min(total * 1.1 * meanInterval.Ticks, TimeSpan.FromDays(365 * 100).Ticks));
        var start = now - span - labelDelay - s_startMargin;
        return new DateTimeOffset(start.UtcTicks - (start.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static DateTimeOffset ParseStart(string text) =>
        DateTimeOffset.TryParseExact(text, s_startFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            ? start
            : throw new CommandLineException($"option --start must be an RFC 3339 date-time with offset such as 2024-01-01T00:00:00Z, got '{text}'");

    private static string NonEmpty(CommandLineArgs args, string name, string fallback)
    {
        var value = args.String(name, fallback)!;
        return string.IsNullOrWhiteSpace(value) ? throw new CommandLineException($"option --{name} must not be empty") : value;
    }

    private static string Invariant(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Writes one line per progress report.</summary>
    private sealed class ProgressWriter(TextWriter stdout) : IProgress<ProducerProgress>
    {
        public void Report(ProducerProgress p) => stdout.WriteLine(
            $"sent {p.Sent}/{p.Total} labels {p.LabelsSent} anomalies {p.Anomalies} phase {p.Phase.ToString().ToLowerInvariant()} rate {Invariant(p.RatePerSecond, "0")}/s");
    }

    /// <summary>Warnings and errors of the Kafka client as single lines on standard error.</summary>
    private sealed class TextWriterLogger(TextWriter stderr) : ILogger<SyntheticProducer>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (stderr)
            {
                stderr.WriteLine($"produce: {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
            }
        }
    }
}
