using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Sinks;
using Pipeline.Models.Privacy;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Ingest;

[Trait("Category", "Integration")]
public sealed class DataQualityGraphTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string PiiKey = "graph-test-pii-key-0123456789abcdefghijklmnop";
    private readonly MockKafka _kafka = MockKafka.Start();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dq-graph-");
    private readonly ITestOutputHelper _output;

    public DataQualityGraphTests(ITestOutputHelper output)
        : base("akka.loglevel = DEBUG", output: output)
    {
        _output = output;
    }

    [Fact]
    public async Task Graph_should_leave_no_card_number_or_email_in_clear_in_logs_metrics_tables_or_derived_topics_when_transactions_carry_pii()
    {
        var logs = new ConcurrentQueue<string>();
        var collector = Sys.ActorOf(Props.Create(() => new LogCollector(logs)));
        Sys.EventStream.Subscribe(collector, typeof(LogEvent));
        var graph = new DataQualityGraph(_kafka, Path.Combine(_dir.FullName, "pii.db"), MemoryStore())
        {
            Pii = PiiSettings.Create(ReferenceConfigFile.With($"pipeline.pii.key = \"{PiiKey}\"").GetConfig("pipeline.pii"), embedded: false),
        };
        var valid = Enumerable.Range(0, 300).Select(i => HostileCorpus.Transaction(i)).ToList();
        var hostile = Enumerable.Range(0, 48).Select(i => HostileCorpus.Kinds(i).Where(k => k.Reason != "payload_too_large").ToList()).Select((k, i) => k[i % k.Count]).ToList();
        var produced = graph.Produce(valid.Select(v => ((string?)v.Key, v.Value)).Concat(hostile.Select(h => (h.Key, h.Value))).ToList());
        await using var store = new SqliteTransactionStore(graph.DbPath);
        await store.InitializeAsync(CancellationToken.None);

        var control = graph.Run(Sys, store, out _, out _);
        await graph.WaitUntilCommitted(produced);
        await control.DrainAndShutdown();
        Sys.Log.Info("pii-scan-end-marker");
        await DataQualityGraph.Eventually(() => logs.Any(l => l.Contains("pii-scan-end-marker", StringComparison.Ordinal)), "the log collector to catch up");
        using var metricsText = new MemoryStream();
        await graph.Registry.CollectAndExportAsTextAsync(metricsText);
        var metrics = Encoding.UTF8.GetString(metricsText.ToArray());
        var tables = graph.DumpTables();
        var deadLetters = graph.ReadDeadLetters(hostile.Count);

        var secrets = valid.SelectMany(v => new[] { v.CardNumber, v.Email })
            .Concat(hostile.Select(h => Encoding.UTF8.GetString(h.Value)).SelectMany(Secrets))
            .Distinct()
            .ToList();
        Assert.True(secrets.Count > 600, "the scan must look for every card number and e-mail produced");
        Assert.True(logs.Count > 10 && logs.Any(l => l.Contains("[DEBUG]", StringComparison.Ordinal)), "the scan must see the debug log");
        Assert.Equal(348, tables.Count(t => t.Table is "scored_transactions" or "quarantine"));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
            Assert.DoesNotContain(tables, row => row.Columns.Any(c => c.Contains(secret, StringComparison.Ordinal)));
        }

        // Downstream of the PII stage: tokens and the last four digits, never the values.
        Assert.Equal(300, graph.Protected.Count);
        var byId = valid.ToDictionary(v => v.TransactionId);
        foreach (var transaction in graph.Protected)
        {
            var source = byId[transaction.TransactionId];
            Assert.StartsWith(PiiProtector.TokenPrefix, transaction.CardNumber);
            Assert.StartsWith(PiiProtector.TokenPrefix, transaction.Email);
            Assert.Equal(source.CardNumber[^4..], transaction.CardLast4);
        }

        // The dead-letter topic is the only place that keeps bytes in clear: exactly the rejected records, as
        // received, so they can be re-driven; no accepted transaction's PII ever reaches it.
        Assert.Equal(hostile.Count, deadLetters.Count);
        Assert.Equal(hostile.Select(h => Convert.ToBase64String(h.Value)).Order(), deadLetters.Select(d => Convert.ToBase64String(d.Message.Value)).Order());
        foreach (var secret in valid.SelectMany(v => new[] { v.CardNumber, v.Email }))
        {
            Assert.DoesNotContain(deadLetters, d => Encoding.UTF8.GetString(d.Message.Value).Contains(secret, StringComparison.Ordinal)
                                                    || d.Message.Headers.Any(h => Encoding.UTF8.GetString(h.GetValueBytes()).Contains(secret, StringComparison.Ordinal)));
        }

        _output.WriteLine($"scanned {logs.Count} log lines, {metrics.Length} characters of metrics, {tables.Count} rows, {deadLetters.Count} dead letters for {secrets.Count} values");
    }

    [Fact]
    public async Task Graph_should_store_one_row_per_transaction_and_commit_the_offsets_of_duplicates_when_transactions_are_sent_twice()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.ConnectionString);
        var settings = RedisSettings();
        await using var dedupe = new RedisDedupeStore(redis, settings, settings.CreateMemoryStore(TimeProvider.System), new DataQualityMetrics(new CollectorRegistry()), Sys.Log, TimeProvider.System);
        var graph = new DataQualityGraph(_kafka, Path.Combine(_dir.FullName, "dup.db"), dedupe, settings);
        var eventTime = DateTimeOffset.UtcNow.AddMinutes(-2);
        var originals = Enumerable.Range(0, 200).Select(i => HostileCorpus.Transaction(i, Guid.NewGuid(), eventTime.AddSeconds(i))).ToList();
        // Half the copies are byte-identical; the other half were re-stamped by the sender's retry, so without
        // dedupe they would become a second row (the table is unique on id and event time only).
        var copies = originals.Take(100).Select((o, i) => i % 2 == 0
            ? o
            : HostileCorpus.Transaction(i, Guid.Parse(o.TransactionId), eventTime.AddSeconds(i).AddMilliseconds(500)) with { Key = o.Key }).ToList();
        var produced = graph.Produce(originals.Select(o => ((string?)o.Key, o.Value)));
        var producedCopies = graph.Produce(copies.Select(c => ((string?)c.Key, c.Value)));
        await using var store = new SqliteTransactionStore(graph.DbPath);
        await store.InitializeAsync(CancellationToken.None);

        var control = graph.Run(Sys, store, out var metrics, out _);
        await graph.WaitUntilCommitted(produced.Concat(producedCopies));
        await control.DrainAndShutdown();

        var rows = graph.Rows("scored_transactions");
        Assert.Equal(200, rows.Count);
        Assert.Equal(originals.Select(o => o.TransactionId).Order(), rows.Select(r => (string)r["transaction_id"]).Order());
        Assert.Equal(100, metrics.Duplicates);
        var first = produced[0];
        Assert.Equal(
            $"{first.Topic}/{first.Partition.Value}/{first.Offset.Value}",
            (string?)await redis.GetDatabase().StringGetAsync(settings.RedisKeyPrefix + originals[0].TransactionId));
    }

    [Fact]
    public async Task Graph_should_process_every_transaction_when_records_claimed_before_a_crash_are_delivered_again()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.ConnectionString);
        var settings = RedisSettings();
        var dedupeMetrics = new DataQualityMetrics(new CollectorRegistry());
        await using var beforeCrash = new RedisDedupeStore(redis, settings, settings.CreateMemoryStore(TimeProvider.System), dedupeMetrics, Sys.Log, TimeProvider.System);
        var graph = new DataQualityGraph(_kafka, Path.Combine(_dir.FullName, "crash.db"), beforeCrash, settings);
        var transactions = Enumerable.Range(0, 100).Select(i => HostileCorpus.Transaction(i)).ToList();
        var produced = graph.Produce(transactions.Select(t => ((string?)t.Key, t.Value)));

        // First life: every record is claimed in Redis, then the host dies before any row is written or offset committed.
        var (crashed, claimed) = graph.RunUpToDedupe(Sys);
        await DataQualityGraph.Eventually(() => claimed.Count == 100, "the first run to claim every record");
        await crashed.Shutdown();
        Assert.All(claimed, e => Assert.IsType<AcceptedTransaction>(e));
        Assert.All(produced.GroupBy(p => p.TopicPartition), g => Assert.Null(_kafka.CommittedOffsets(graph.Group, [g.Key])[g.Key]));

        // Second life: the same records arrive again from the same coordinates.
        await using var afterCrash = new RedisDedupeStore(redis, settings, settings.CreateMemoryStore(TimeProvider.System), dedupeMetrics, Sys.Log, TimeProvider.System);
        graph.Dedupe = afterCrash;
        await using var store = new SqliteTransactionStore(graph.DbPath);
        await store.InitializeAsync(CancellationToken.None);
        var control = graph.Run(Sys, store, out var metrics, out _);
        await graph.WaitUntilCommitted(produced);
        await control.DrainAndShutdown();

        Assert.Equal(100, graph.Rows("scored_transactions").Count);
        Assert.Equal(0, metrics.Duplicates);
    }

    private static InMemoryDedupeStore MemoryStore() =>
        DedupeSettings.Create(DataQualityGraph.Reference.GetConfig("pipeline.dedupe")).CreateMemoryStore(TimeProvider.System);

    private static DedupeSettings RedisSettings() =>
        DedupeSettings.Create(DataQualityGraph.Reference.GetConfig("pipeline.dedupe")) with { Store = "redis", RedisKeyPrefix = $"test:{Guid.NewGuid():N}:" };

    // Card numbers and e-mails the hostile corpus embeds in a record.
    private static IEnumerable<string> Secrets(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"4\d{15}|holder\d+\.secret@bank\d\.example").Select(m => m.Value);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _kafka.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> lines) =>
            Receive<LogEvent>(e => lines.Enqueue(e + (e.Cause is null ? string.Empty : " " + e.Cause)));
    }
}
