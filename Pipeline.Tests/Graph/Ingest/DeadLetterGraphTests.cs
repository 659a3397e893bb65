using System.Globalization;
using System.Text;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Sinks;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Ingest;

[Trait("Category", "Integration")]
public sealed class DeadLetterGraphTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const int BigSize = 5 * 1024 * 1024;
    private readonly MockKafka _kafka = MockKafka.Start();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dlq-graph-");
    private readonly ITestOutputHelper _output;

    public DeadLetterGraphTests(ITestOutputHelper output)
        : base("akka.loglevel = INFO", output: output)
    {
        _output = output;
    }

    [Fact]
    public async Task Graph_should_quarantine_1000_hostile_records_in_the_table_and_the_dead_letter_topic_and_commit_every_offset_when_mixed_into_valid_traffic()
    {
        var graph = new DataQualityGraph(_kafka, Path.Combine(_dir.FullName, "dq.db"), DedupeStore());
        var random = new Random(4242);
        var hostile = Enumerable.Range(0, 1000)
            .Select(i => HostileCorpus.Kinds(i).Where(k => i == 0 || k.Reason != "payload_too_large").ToList())
            .Select((kinds, i) => kinds[i % kinds.Count])
            .ToList();
        var valid = Enumerable.Range(0, 1000).Select(i => HostileCorpus.Transaction(i)).ToList();
        var mixed = hostile.Select(h => (h.Key, h.Value, Hostile: (HostileCorpus.Hostile?)h))
            .Concat(valid.Select(v => (Key: (string?)v.Key, v.Value, Hostile: (HostileCorpus.Hostile?)null)))
            .OrderBy(_ => random.Next())
            .ToList();
        var produced = graph.Produce(mixed.Select(m => (m.Key, m.Value)));
        var expected = produced.Zip(mixed).Where(p => p.Second.Hostile is not null)
            .ToDictionary(p => (p.First.Partition.Value, p.First.Offset.Value), p => p.Second.Hostile!);
        await using var store = new SqliteTransactionStore(graph.DbPath);
        await store.InitializeAsync(CancellationToken.None);

        var control = graph.Run(Sys, store, out var metrics, out var pipelineMetrics);
        await graph.WaitUntilCommitted(produced);

        Assert.False(control.StreamCompletion.IsCompleted, "the stream must still be running");
        await control.DrainAndShutdown();
        Assert.Equal(1000, graph.Rows("scored_transactions").Count);
        var quarantine = graph.Rows("quarantine");
        Assert.Equal(1000, quarantine.Count);
        foreach (var row in quarantine)
        {
            var kind = expected[(Convert.ToInt32(row["partition"], CultureInfo.InvariantCulture), Convert.ToInt64(row["offset"], CultureInfo.InvariantCulture))];
            Assert.Equal((kind.Stage, kind.Reason), ((string)row["stage"], (string)row["reason"]));
            Assert.Equal(kind.Value.Length, ((byte[])row["raw"]).Length);
        }

        var deadLetters = graph.ReadDeadLetters(1000);
        Assert.Equal(1000, deadLetters.Count);
        foreach (var letter in deadLetters)
        {
            var headers = DeadLetterFlowTests.Headers(letter.Message.Headers);
            var kind = expected[(int.Parse(headers["x-source-partition"], CultureInfo.InvariantCulture), long.Parse(headers["x-source-offset"], CultureInfo.InvariantCulture))];
            Assert.Equal(kind.Value, letter.Message.Value);
            Assert.Equal(kind.Key, letter.Message.Key is null ? null : Encoding.UTF8.GetString(letter.Message.Key));
            Assert.Equal((kind.Stage, kind.Reason, graph.Topic), (headers["x-stage"], headers["x-reason"], headers["x-source-topic"]));
            Assert.True(DateTimeOffset.TryParse(headers["x-received-at"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
            Assert.DoesNotContain(DeadLetterFlow.TruncatedFromHeader, headers.Keys);
        }

        Assert.Equal(1000, metrics.DeadLetters);
        Assert.Equal(1000, pipelineMetrics.Quarantined);
        _output.WriteLine($"quarantined by reason: {string.Join(", ", hostile.GroupBy(h => h.Reason).Select(g => $"{g.Key}={g.Count()}"))}");
    }

    [Fact]
    public async Task Graph_should_dead_letter_a_5_MB_record_whole_when_the_producer_allows_it_and_cut_it_when_it_does_not()
    {
        var big = Encoding.UTF8.GetBytes("{\"transaction_id\":\"" + new string((char)55, BigSize) + "\"}");
        foreach (var (maxMessageBytes, truncated) in new[] { (16 * 1024 * 1024, false), (1_000_000, true) })
        {
            var graph = new DataQualityGraph(_kafka, Path.Combine(_dir.FullName, $"big-{maxMessageBytes}.db"), DedupeStore()) { DeadLetterMaxMessageBytes = maxMessageBytes };
            var valid = HostileCorpus.Transaction(1);
            // The mock broker keeps about 5 MB per partition: the big record gets a partition of its own.
            var produced = graph.Produce([("acct-big", big)], partition: 2).Concat(graph.Produce([(valid.Key, valid.Value)], partition: 1)).ToList();
            await using var store = new SqliteTransactionStore(graph.DbPath);
            await store.InitializeAsync(CancellationToken.None);

            var control = graph.Run(Sys, store, out var metrics, out _);
            await graph.WaitUntilCommitted(produced);
            await control.DrainAndShutdown();

            var letter = Assert.Single(graph.ReadDeadLetters(1));
            var headers = DeadLetterFlowTests.Headers(letter.Message.Headers);
            Assert.Equal("payload_too_large", headers["x-reason"]);
            if (truncated)
            {
                Assert.Equal(big.Length.ToString(CultureInfo.InvariantCulture), headers[DeadLetterFlow.TruncatedFromHeader]);
                Assert.True(letter.Message.Value.Length < maxMessageBytes);
                Assert.Equal(big[..letter.Message.Value.Length], letter.Message.Value);
            }
            else
            {
                Assert.Equal(big, letter.Message.Value);
            }

            Assert.Equal(1, metrics.DeadLetters);
            Assert.Equal(big.Length, ((byte[])Assert.Single(graph.Rows("quarantine"))["raw"]).Length);
            Assert.Single(graph.Rows("scored_transactions"));
        }
    }

    private static InMemoryDedupeStore DedupeStore() =>
        DedupeSettings.Create(DataQualityGraph.Reference.GetConfig("pipeline.dedupe")).CreateMemoryStore(TimeProvider.System);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _kafka.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}
