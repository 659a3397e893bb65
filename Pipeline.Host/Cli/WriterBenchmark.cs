using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Confluent.Kafka;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Host.Hosting;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;
using Prometheus;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>bench --writer</c>: measures the PostgreSQL store on its own against a real server, in one run and on the
/// same generated rows. (1) Throughput: batches of the configured size written through
/// <see cref="PostgresTransactionStore.WriteBatchAsync"/> (one durable transaction each, commit included),
/// interleaved batch by batch with a raw binary COPY of the same rows into a plain copy of
/// <c>scored_transactions</c> (same columns, keys and indexes), so a neighbour's load on a shared machine hits
/// both alike. (2) Replay: a batch already written is written again and must add nothing. (3) Latency: rows are
/// fed at a fixed rate (event time = enqueue time) and batched as the store stage batches them
/// (<c>batch-size</c> or <c>flush-interval</c>, whichever comes first); a row counts as durable when its batch's
/// write returned. Everything runs in a fresh schema that is dropped afterwards.
/// </summary>
public static class WriterBenchmark
{
    private const string Group = "writer-bench";
    private const string Topic = "transactions";
    private const string ScoredColumns = "ts, transaction_id, account_id, amount, currency, score, is_anomaly, severity, threshold, model_version, late, features, reasons";
    private static readonly string[] Currencies = ["EUR", "USD", "GBP", "CHF", "JPY", "SEK"];
    private static readonly string[] Rules = ["new_merchant", "new_country", "new_device", "velocity_exceeded", "deviation_from_account_mean", "amount_above_threshold"];
    private static readonly IReadOnlyList<string> FeatureNames = AccountFeatures.Names([TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromHours(24)]);

    /// <summary>What to measure.</summary>
    public sealed record Options
    {
        /// <summary>Where to write (Npgsql form or a <c>postgres://</c> URL).</summary>
        public required string ConnectionString { get; init; }

        /// <summary><c>pipeline.store</c>: batch size, flush interval and the PostgreSQL store's settings.</summary>
        public required StoreSettings Store { get; init; }

        /// <summary>Rows of the throughput phase (each written once by the store and once by the raw COPY).</summary>
        public required int Rows { get; init; }

        /// <summary>Rows per second fed in the latency phase.</summary>
        public required double Rate { get; init; }

        /// <summary>How long the latency phase feeds rows.</summary>
        public required TimeSpan RateDuration { get; init; }

        /// <summary>Seed of the generated rows.</summary>
        public int Seed { get; init; } = 11;

        /// <summary>Keep the benchmark's schema (and its rows) instead of dropping it.</summary>
        public bool KeepSchema { get; init; }
    }

    /// <summary>What one run measured and what the database holds afterwards.</summary>
    public sealed record Report
    {
        /// <summary>The schema the run wrote to (dropped unless <see cref="Options.KeepSchema"/>).</summary>
        public required string Schema { get; init; }

        /// <summary>Rows per write transaction.</summary>
        public required int BatchSize { get; init; }

        /// <summary>Rows of the throughput phase.</summary>
        public required int Rows { get; init; }

        /// <summary>The raw binary COPY baseline, rows per second (commit included).</summary>
        public required double RawRowsPerSecond { get; init; }

        /// <summary>
        /// Binary COPY of bytes encoded before timing (exported by the server from the same rows), rows per second
        /// (commit included): what the server alone costs, a ceiling no client reaches.
        /// </summary>
        public required double PreEncodedRowsPerSecond { get; init; }

        /// <summary>The store's writer, rows per second (commit included).</summary>
        public required double WriterRowsPerSecond { get; init; }

        /// <summary><see cref="WriterRowsPerSecond"/> / <see cref="RawRowsPerSecond"/>.</summary>
        public double Ratio => WriterRowsPerSecond / RawRowsPerSecond;

        /// <summary>Time to write one already-written batch again.</summary>
        public required TimeSpan ReplayTime { get; init; }

        /// <summary>Rows the replayed batch added (0 when the store is idempotent).</summary>
        public required long ReplayNewRows { get; init; }

        /// <summary>Rows fed in the latency phase.</summary>
        public required int RateRows { get; init; }

        /// <summary>The rate asked for, rows per second.</summary>
        public required double TargetRate { get; init; }

        /// <summary>The rate at which rows became durable over the latency phase.</summary>
        public required double AchievedRate { get; init; }

        /// <summary>Write transactions of the latency phase.</summary>
        public required int RateBatches { get; init; }

        /// <summary>Median event → durable row latency.</summary>
        public required TimeSpan LatencyP50 { get; init; }

        /// <summary>99th percentile event → durable row latency.</summary>
        public required TimeSpan LatencyP99 { get; init; }

        /// <summary>Largest event → durable row latency.</summary>
        public required TimeSpan LatencyMax { get; init; }

        /// <summary>Distinct rows the run handed to the store.</summary>
        public required long ExpectedRows { get; init; }

        /// <summary>Rows in <c>scored_transactions</c> after the run.</summary>
        public required long StoredRows { get; init; }

        /// <summary>Distinct <c>(transaction_id, ts)</c> in <c>scored_transactions</c> after the run.</summary>
        public required long DistinctStoredRows { get; init; }

        /// <summary>Rows in the raw COPY's table after the run.</summary>
        public required long RawRows { get; init; }

        /// <summary>Concurrent writers of the store (<c>pipeline.store.postgres.writers</c>).</summary>
        public int Writers { get; init; } = 1;

        /// <summary>
        /// With several writers: the store writing <see cref="Rows"/> further rows with that many batches in flight, rows per
        /// second of wall-clock time (0 with one writer).
        /// </summary>
        public double ConcurrentWriterRowsPerSecond { get; init; }

        /// <summary>With several writers: raw binary COPY of the same rows on as many connections at once (0 with one writer).</summary>
        public double ConcurrentRawRowsPerSecond { get; init; }

        /// <summary>With several writers: those rows COPYed from bytes prepared before timing on as many connections (the server's share alone).</summary>
        public double ConcurrentPreEncodedRowsPerSecond { get; init; }
    }

    /// <summary>
    /// Runs <c>bench --writer</c>: options <c>--database-url</c> (else <c>TIMESCALE_URL</c>), <c>--rows N</c>
    /// (default 100000), <c>--batch-size N</c> (default <c>pipeline.store.batch-size</c>), <c>--rate N</c> (default
    /// 20000 rows/s), <c>--seconds N</c> (latency phase, default 10), <c>--keep-schema</c> (leave the rows for inspection), <c>--set "k=v;…"</c>.
    /// </summary>
    /// <param name="args">The <c>bench</c> options.</param>
    /// <param name="stdout">Receives the figures.</param>
    /// <param name="ct">Abandons the run.</param>
    /// <param name="environment">Environment variables (<c>TIMESCALE_URL</c>); null reads the process's.</param>
    /// <exception cref="CommandLineException">No database given, or an option is out of range.</exception>
    public static async Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        var url = args.String("database-url");
        var rows = args.Int("rows", 100_000, 1_000, 10_000_000);
        var batchSize = args.Has("batch-size") ? args.Int("batch-size", 0, 1, 100_000) : (int?)null;
        var rate = args.Double("rate", 20_000, 1, 1_000_000);
        var seconds = args.Double("seconds", 10, 0.1, 3600);
        var keep = args.Flag("keep-schema");
        var sets = args.String("set");
        args.EnsureAllUsed();

        if (environment is null)
        {
            var fromProcess = Environment.GetEnvironmentVariable("TIMESCALE_URL");
            environment = string.IsNullOrWhiteSpace(fromProcess) ? new Dictionary<string, string>() : new Dictionary<string, string> { ["TIMESCALE_URL"] = fromProcess };
        }

        var config = PipelineConfigLoader.Load(environment, null, sets);
        var store = RunOptions.Create(config).Graph.Store;
        var connectionString = string.IsNullOrWhiteSpace(url) ? store.Postgres.ConnectionString : url;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new CommandLineException("bench --writer needs a PostgreSQL server: pass --database-url or set TIMESCALE_URL");
        }

        if (batchSize is { } size) store = store with { BatchSize = size };
        await MeasureAsync(
            new Options { ConnectionString = connectionString, Store = store, Rows = rows, Rate = rate, RateDuration = TimeSpan.FromSeconds(seconds), KeepSchema = keep },
            stdout, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Runs the three phases and prints one figure per line to <paramref name="output"/>.</summary>
    /// <exception cref="StoreUnavailableException">The server cannot be reached or the schema cannot be created.</exception>
    public static async Task<Report> MeasureAsync(Options options, TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var batchSize = options.Store.BatchSize;
        var rateRows = (int)Math.Max(1, Math.Round(options.Rate * options.RateDuration.TotalSeconds));
        var warmUpRows = Math.Min(batchSize * 2, options.Rows);
        var schema = string.Create(CultureInfo.InvariantCulture, $"writer_bench_{Environment.ProcessId}_{DateTime.UtcNow:HHmmssfff}");
        var settings = options.Store.Postgres.WithConnectionString(options.ConnectionString) with { Schema = schema };

        var writers = options.Store.Postgres.Writers;
        var concurrentRows = writers > 1 ? options.Rows : 0;
        var all = GenerateRows(warmUpRows + options.Rows + rateRows + concurrentRows, options.Seed, DateTimeOffset.UtcNow.AddDays(-1));
        var warmUp = all.GetRange(0, warmUpRows);
        var measured = all.GetRange(warmUpRows, options.Rows);
        var fed = all.GetRange(warmUpRows + options.Rows, rateRows);
        var concurrent = all.GetRange(warmUpRows + options.Rows + rateRows, concurrentRows);

        var metrics = new PostgresStoreMetrics(Metrics.NewCustomRegistry());
        var store = new PostgresTransactionStore(settings, metrics);
        await using var storeScope = store.ConfigureAwait(false);
        await store.InitializeAsync(ct).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench --writer: {store.Description}, {(store.UsesTimescale ? "TimescaleDB hypertables" : "plain PostgreSQL")}, batch-size {batchSize}, store-offsets {(settings.StoreOffsets ? "on" : "off")}, writers {writers}, synchronous_commit on"));
        await using var raw = await RawCopy.OpenAsync(settings, ct).ConfigureAwait(false);
        try
        {
            // 1. Throughput, after a warm-up of both paths (connections, plans, JIT).
            long offset = 0;
            foreach (var batch in Batches(warmUp, batchSize))
            {
                await store.WriteBatchAsync(batch, [], ct, NextOffset(ref offset, batch.Count)).ConfigureAwait(false);
                await raw.WriteAsync(batch, ct).ConfigureAwait(false);
                await raw.WriteEncodedAsync(await raw.EncodeAsync(batch, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }

            var writerTime = TimeSpan.Zero;
            var rawTime = TimeSpan.Zero;
            var encodedTime = TimeSpan.Zero;
            var index = 0;
            foreach (var batch in Batches(measured, batchSize))
            {
                var encoded = await raw.EncodeAsync(batch, ct).ConfigureAwait(false);
                var paths = new Func<Task>[]
                {
                    async () => writerTime += await TimeAsync(() => store.WriteBatchAsync(batch, [], ct, NextOffset(ref offset, batch.Count))).ConfigureAwait(false),
                    async () => rawTime += await TimeAsync(() => raw.WriteAsync(batch, ct)).ConfigureAwait(false),
                    async () => encodedTime += await TimeAsync(() => raw.WriteEncodedAsync(encoded, ct)).ConfigureAwait(false),
                };

                // Rotate which path goes first, so none always follows another's checkpoint or autovacuum.
                for (var p = 0; p < paths.Length; p++) await paths[(index + p) % paths.Length]().ConfigureAwait(false);
                index++;
            }

            var rawRate = options.Rows / rawTime.TotalSeconds;
            var encodedRate = options.Rows / encodedTime.TotalSeconds;
            var writerRate = options.Rows / writerTime.TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw binary COPY (baseline)  : {rawRate,10:N0} rows/s ({options.Rows} rows in {rawTime.TotalSeconds:0.00}s; Npgsql binary importer, System.Text.Json for jsonb)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pre-encoded binary COPY     : {encodedRate,10:N0} rows/s ({options.Rows} rows in {encodedTime.TotalSeconds:0.00}s; bytes ready before timing: the server's share alone)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"writer                      : {writerRate,10:N0} rows/s ({options.Rows} rows in {writerTime.TotalSeconds:0.00}s)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio writer / raw COPY     : {writerRate / rawRate:P1} (writer / pre-encoded COPY {writerRate / encodedRate:P1})"));

            // 1b. With several writers: the store with that many batches in flight (as the store stage drives it), against raw
            // COPY on as many connections at once; both timed by the wall clock over the same number of fresh rows.
            double concurrentWriterRate = 0, concurrentRawRate = 0, concurrentEncodedRate = 0;
            if (writers > 1)
            {
                var half = concurrent.Count / 2;
                var writerRows = concurrent.GetRange(0, half);
                var rawRows = concurrent.GetRange(half, concurrent.Count - half);
                long concurrentOffset = 2_000_000_000;
                var writerWall = await InParallelAsync(writers, Batches(writerRows, batchSize), (_, batch) => store.WriteBatchAsync(batch, [], ct, [new ConsumedOffset(Group, new TopicPartition(Topic, 0), Interlocked.Add(ref concurrentOffset, batch.Count))])).ConfigureAwait(false);
                var raws = new List<RawCopy>();
                try
                {
                    for (var i = 0; i < writers; i++) raws.Add(await RawCopy.OpenAsync(settings, ct, createTables: false).ConfigureAwait(false));
                    var rawWall = await InParallelAsync(writers, Batches(rawRows, batchSize), (worker, batch) => raws[worker].WriteAsync(batch, ct)).ConfigureAwait(false);
                    // The server's ceiling: the same rows as bytes prepared before timing, on as many connections.
                    var encoded = new List<byte[]>();
                    foreach (var batch in Batches(rawRows, batchSize)) encoded.Add(await raws[0].EncodeAsync(batch, ct).ConfigureAwait(false));
                    var encodedWall = await InParallelAsync(writers, encoded, (worker, bytes) => raws[worker].WriteEncodedAsync(bytes, ct)).ConfigureAwait(false);
                    concurrentWriterRate = writerRows.Count / writerWall.TotalSeconds;
                    concurrentRawRate = rawRows.Count / rawWall.TotalSeconds;
                    concurrentEncodedRate = rawRows.Count / encodedWall.TotalSeconds;
                }
                finally
                {
                    foreach (var r in raws) await r.DisposeAsync().ConfigureAwait(false);
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"writer, {writers} at once        : {concurrentWriterRate,10:N0} rows/s ({writerRows.Count} rows, wall clock)"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw COPY, {writers} connections  : {concurrentRawRate,10:N0} rows/s ({rawRows.Count} rows, wall clock)"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pre-encoded, {writers} connections: {concurrentEncodedRate,10:N0} rows/s (the server's ceiling on this machine)"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio writer / raw, {writers} at once: {concurrentWriterRate / concurrentRawRate:P1} (writer / server ceiling {concurrentWriterRate / concurrentEncodedRate:P1})"));
            }

            // 2. A replay: the first measured batch again.
            var replay = measured.GetRange(0, Math.Min(batchSize, measured.Count));
            var before = await CountAsync(settings, "SELECT count(*) FROM scored_transactions", ct).ConfigureAwait(false);
            var replayTime = await TimeAsync(() => store.WriteBatchAsync(replay, [], ct)).ConfigureAwait(false);
            var replayNew = await CountAsync(settings, "SELECT count(*) FROM scored_transactions", ct).ConfigureAwait(false) - before;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay of a written batch   : {replayTime.TotalMilliseconds,10:0.0} ms for {replay.Count} rows, {replayNew} new rows"));

            // 3. Latency at a fixed rate.
            var (latencies, batches, elapsed) = await FeedAtRateAsync(store, fed, options.Rate, options.Store, ct).ConfigureAwait(false);
            Array.Sort(latencies);
            var report = new Report
            {
                Schema = schema,
                BatchSize = batchSize,
                Rows = options.Rows,
                RawRowsPerSecond = rawRate,
                PreEncodedRowsPerSecond = encodedRate,
                WriterRowsPerSecond = writerRate,
                ReplayTime = replayTime,
                ReplayNewRows = replayNew,
                RateRows = fed.Count,
                TargetRate = options.Rate,
                AchievedRate = fed.Count / elapsed.TotalSeconds,
                RateBatches = batches,
                LatencyP50 = Percentile(latencies, 0.50),
                LatencyP99 = Percentile(latencies, 0.99),
                LatencyMax = latencies[^1],
                ExpectedRows = all.Count - (concurrent.Count - concurrent.Count / 2), // the raw COPY's half went to raw_copy
                StoredRows = await CountAsync(settings, "SELECT count(*) FROM scored_transactions", ct).ConfigureAwait(false),
                DistinctStoredRows = await CountAsync(settings, "SELECT count(*) FROM (SELECT DISTINCT transaction_id, ts FROM scored_transactions) d", ct).ConfigureAwait(false),
                RawRows = await CountAsync(settings, "SELECT count(*) FROM raw_copy", ct).ConfigureAwait(false),
                Writers = writers,
                ConcurrentWriterRowsPerSecond = concurrentWriterRate,
                ConcurrentRawRowsPerSecond = concurrentRawRate,
                ConcurrentPreEncodedRowsPerSecond = concurrentEncodedRate,
            };
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fed at {options.Rate:N0} rows/s      : {report.AchievedRate,10:N0} rows/s durable, {batches} batches, event → row p50 {report.LatencyP50.TotalMilliseconds:0.0} ms, p99 {report.LatencyP99.TotalMilliseconds:0.0} ms, max {report.LatencyMax.TotalMilliseconds:0.0} ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rows stored                 : {report.StoredRows} ({report.DistinctStoredRows} distinct) of {report.ExpectedRows} written"));
            return report;
        }
        finally
        {
            if (!options.KeepSchema) await DropSchemaAsync(settings, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <paramref name="count"/> rows shaped as the scoring stage writes them: UUID ids, 1,000 accounts, the 25
    /// account features of the default 1m/1h/24h windows at full precision, rule codes on some rows and rule codes
    /// plus the top deviating features on the anomalies (about 2 %). Timestamps rise about 1 ms apart.
    /// </summary>
    public static List<ScoredTransaction> GenerateRows(int count, int seed, DateTimeOffset start)
    {
        var rng = new Random(seed);
        var rows = new List<ScoredTransaction>(count);
        var ticks = start.UtcTicks - (start.UtcTicks % 10);
        var guid = new byte[16];
        for (var i = 0; i < count; i++)
        {
            ticks += 5_000 + (rng.Next(0, 1_000) * 10);
            rng.NextBytes(guid);
            guid[7] = (byte)((guid[7] & 0x0F) | 0x40);
            guid[8] = (byte)((guid[8] & 0x3F) | 0x80);
            var amount = Math.Round(Math.Exp(3.5 + (1.2 * Normal(rng))), 2);
            var anomaly = rng.NextDouble() < 0.02;
            var score = anomaly ? 0.8 + (0.2 * rng.NextDouble()) : 0.75 * rng.NextDouble();
            var features = new Dictionary<string, double>(FeatureNames.Count, StringComparer.Ordinal);
            foreach (var name in FeatureNames) features[name] = Feature(name, amount, rng);
            string[] reasons = anomaly
                ? [Rules[rng.Next(Rules.Length)], "feature:amount_zscore", "feature:" + FeatureNames[rng.Next(FeatureNames.Count)], "feature:" + FeatureNames[rng.Next(FeatureNames.Count)]]
                : rng.NextDouble() < 0.05 ? [Rules[rng.Next(3)]] : [];
            rows.Add(new ScoredTransaction
            {
                Timestamp = new DateTimeOffset(ticks, TimeSpan.Zero),
                TransactionId = new Guid(guid).ToString("D"),
                AccountId = string.Create(CultureInfo.InvariantCulture, $"acct-{rng.Next(1_000):D6}"),
                Amount = amount,
                Currency = Currencies[rng.Next(Currencies.Length)],
                Score = score,
                IsAnomaly = anomaly,
                Severity = score >= 0.95 ? "CRITICAL" : score >= 0.9 ? "HIGH" : score >= 0.8 ? "MEDIUM" : "LOW",
                Threshold = 0.8 + (0.01 * rng.NextDouble()),
                ModelVersion = "7",
                Late = rng.NextDouble() < 0.01,
                Features = features,
                Reasons = reasons,
            });
        }

        return rows;
    }

    private static double Feature(string name, double amount, Random rng) => name switch
    {
        "amount" => amount,
        "amount_zscore" => Normal(rng),
        "seconds_since_previous" => -Math.Log(1 - rng.NextDouble()) * 3600,
        "hour_of_day" => rng.Next(24),
        _ when name.StartsWith("new_", StringComparison.Ordinal) => rng.NextDouble() < 0.05 ? 1 : 0,
        _ when name.StartsWith("count_", StringComparison.Ordinal) || name.StartsWith("distinct_", StringComparison.Ordinal) => rng.Next(1, 40),
        _ => Math.Exp(3 + (2 * rng.NextDouble())) * rng.NextDouble(),
    };

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static IEnumerable<List<ScoredTransaction>> Batches(List<ScoredTransaction> rows, int size)
    {
        for (var i = 0; i < rows.Count; i += size) yield return rows.GetRange(i, Math.Min(size, rows.Count - i));
    }

    private static ConsumedOffset[] NextOffset(ref long offset, int count)
    {
        offset += count;
        return [new ConsumedOffset(Group, new TopicPartition(Topic, 0), offset)];
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Runs <paramref name="write"/> over <paramref name="items"/> on <paramref name="concurrency"/> workers, each
    /// taking the next item when done with its last (the worker's index picks its connection); the wall-clock time.
    /// </summary>
    private static async Task<TimeSpan> InParallelAsync<T>(int concurrency, IEnumerable<T> items, Func<int, T, Task> write)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<T>(items);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var item)) await write(worker, item).ConfigureAwait(false);
        }))).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Feeds <paramref name="rows"/> at <paramref name="rate"/> into a queue (event time = enqueue time) while a
    /// writer loop batches them as the store stage does and writes each batch; returns each row's event → durable
    /// latency, the number of batches and the time from the first enqueue to the last durable row.
    /// </summary>
    private static async Task<(TimeSpan[] Latencies, int Batches, TimeSpan Elapsed)> FeedAtRateAsync(
        PostgresTransactionStore store, List<ScoredTransaction> rows, double rate, StoreSettings settings, CancellationToken ct)
    {
        var queue = Channel.CreateUnbounded<(ScoredTransaction Row, long EnqueuedAt)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var latencies = new TimeSpan[rows.Count];
        var started = Stopwatch.GetTimestamp();
        var feeding = Task.Run(async () =>
        {
            var next = 0;
            while (next < rows.Count)
            {
                var due = Math.Min(rows.Count, (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) + 1);
                for (; next < due; next++) queue.Writer.TryWrite((rows[next], Stopwatch.GetTimestamp()));
                await Task.Delay(1, ct).ConfigureAwait(false);
            }

            queue.Writer.Complete();
        }, ct);

        var written = 0;
        var batches = 0;
        var batch = new List<ScoredTransaction>(settings.BatchSize);
        var enqueued = new List<long>(settings.BatchSize);
        long offset = 1_000_000_000;
        while (await queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            // As GroupedWithin: a batch closes when full or flush-interval after its first row.
            var closesAt = Stopwatch.GetTimestamp() + (long)(settings.FlushInterval.TotalSeconds * Stopwatch.Frequency);
            while (batch.Count < settings.BatchSize)
            {
                if (queue.Reader.TryRead(out var item))
                {
                    batch.Add(item.Row);
                    enqueued.Add(item.EnqueuedAt);
                    continue;
                }

                var remaining = closesAt - Stopwatch.GetTimestamp();
                if (remaining <= 0) break;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency));
                try
                {
                    if (!await queue.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false)) break;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    break;
                }
            }

            await store.WriteBatchAsync(batch, [], ct, NextOffset(ref offset, batch.Count)).ConfigureAwait(false);
            var durable = Stopwatch.GetTimestamp();
            foreach (var at in enqueued) latencies[written++] = Stopwatch.GetElapsedTime(at, durable);
            batches++;
            batch.Clear();
            enqueued.Clear();
        }

        await feeding.ConfigureAwait(false);
        return (latencies, batches, Stopwatch.GetElapsedTime(started));
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<long> CountAsync(PostgresStoreSettings settings, string sql, CancellationToken ct)
    {
        await using var connection = await OpenAsync(settings, ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task DropSchemaAsync(PostgresStoreSettings settings, CancellationToken ct)
    {
        await using var connection = await OpenAsync(settings, ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {settings.Schema} CASCADE", connection);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A connection with <c>search_path</c> set to the benchmark's schema.</summary>
    private static async Task<NpgsqlConnection> OpenAsync(PostgresStoreSettings settings, CancellationToken ct)
    {
        var builder = settings.ConnectionStringBuilder();
        builder.SearchPath = settings.Schema;
        builder.Pooling = false;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// The baselines: binary COPY of the rows into <c>raw_copy</c> (<c>LIKE scored_transactions INCLUDING ALL</c>:
    /// same columns, defaults, keys and indexes), one transaction per batch, <c>synchronous_commit</c> on, written
    /// the ordinary way with Npgsql's binary importer and System.Text.Json for the jsonb columns; and the same rows
    /// as bytes prepared before timing (the server exports them from a temp table) COPYed into <c>raw_copy_encoded</c>.
    /// </summary>
    private sealed class RawCopy : IAsyncDisposable
    {
        private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        private readonly NpgsqlConnection _connection;

        private RawCopy(NpgsqlConnection connection) => _connection = connection;

        public static async Task<RawCopy> OpenAsync(PostgresStoreSettings settings, CancellationToken ct, bool createTables = true)
        {
            var connection = await WriterBenchmark.OpenAsync(settings, ct).ConfigureAwait(false);
            var tables = createTables ? "CREATE TABLE raw_copy (LIKE scored_transactions INCLUDING ALL); CREATE TABLE raw_copy_encoded (LIKE scored_transactions INCLUDING ALL); " : string.Empty;
            await using var create = new NpgsqlCommand(
                $"SET synchronous_commit TO on; {tables}" +
                $"CREATE TEMP TABLE raw_source AS SELECT {ScoredColumns} FROM scored_transactions WITH NO DATA",
                connection);
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return new RawCopy(connection);
        }

        public async Task WriteAsync(IReadOnlyList<ScoredTransaction> rows, CancellationToken ct)
        {
            await using var tx = await _connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await Import("raw_copy", rows, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }

        private async Task Import(string table, IReadOnlyList<ScoredTransaction> rows, CancellationToken ct)
        {
            await using var copy = await _connection.BeginBinaryImportAsync($"COPY {table} ({ScoredColumns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
            foreach (var r in rows)
            {
                copy.StartRow();
                copy.Write(r.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(r.TransactionId, NpgsqlDbType.Text);
                copy.Write(r.AccountId, NpgsqlDbType.Text);
                copy.Write(r.Amount, NpgsqlDbType.Double);
                copy.Write(r.Currency, NpgsqlDbType.Text);
                copy.Write(r.Score, NpgsqlDbType.Double);
                copy.Write(r.IsAnomaly, NpgsqlDbType.Boolean);
                copy.Write(r.Severity, NpgsqlDbType.Text);
                copy.Write(r.Threshold, NpgsqlDbType.Double);
                copy.Write(r.ModelVersion, NpgsqlDbType.Text);
                copy.Write(r.Late, NpgsqlDbType.Boolean);
                copy.Write(JsonSerializer.Serialize(r.Features, Json), NpgsqlDbType.Jsonb);
                copy.Write(JsonSerializer.Serialize(r.Reasons, Json), NpgsqlDbType.Jsonb);
            }

            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }

        /// <summary>The rows in binary COPY format as the server itself writes them (untimed preparation).</summary>
        public async Task<byte[]> EncodeAsync(IReadOnlyList<ScoredTransaction> rows, CancellationToken ct)
        {
            await Import("raw_source", rows, ct).ConfigureAwait(false);
            using var bytes = new MemoryStream();
            await using (var export = await _connection.BeginRawBinaryCopyAsync($"COPY raw_source ({ScoredColumns}) TO STDOUT (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                await export.CopyToAsync(bytes, ct).ConfigureAwait(false);
            }

            await using var truncate = new NpgsqlCommand("TRUNCATE raw_source", _connection);
            await truncate.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return bytes.ToArray();
        }

        public async Task WriteEncodedAsync(byte[] encoded, CancellationToken ct)
        {
            await using var tx = await _connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var copy = await _connection.BeginRawBinaryCopyAsync($"COPY raw_copy_encoded ({ScoredColumns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                await copy.WriteAsync(encoded, ct).ConfigureAwait(false);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
