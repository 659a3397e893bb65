using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

/// <summary>
/// The acceptance point "stop PostgreSQL for 30 s under load" (issue 5). The only test in the suite
/// that waits on the wall clock: the outage itself is the subject.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ProcessMemoryCollection.Name)]
public sealed class PostgresStoreOutageTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit
{
    private const int Total = 20_000;
    private const int Partitions = 4;
    private const int BatchSize = 200;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task StoreFlow_should_pause_the_source_and_store_every_element_once_when_postgres_stops_for_30_seconds()
    {
        using var server = PostgresServer.Start();
        var cs = await server.CreateDatabaseAsync("outage");
        var settings = PostgresTestData.Store($"batch-size = {BatchSize}, flush-interval = 50ms, retry.min-backoff = 100ms, retry.max-backoff = 2s");
        var storeMetrics = new PostgresStoreMetrics(Metrics.NewCustomRegistry());
        var pipelineMetrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        await using var store = new PostgresTransactionStore(
            settings.Postgres.WithConnectionString(cs).WithStoreOffsets(true) with { CommandTimeout = TimeSpan.FromSeconds(5) }, storeMetrics);
        await store.InitializeAsync(CancellationToken.None);
        var consumer = new PostgresTestData.FakeConsumer();
        long pulled = 0;
        var emitted = new ConcurrentQueue<CommittableOffset>();

        // 2,000 elements/s: the stream is busy when the server goes away.
        var done = Source.From(Enumerable.Range(0, Total))
            .Throttle(100, TimeSpan.FromMilliseconds(50), 100, ThrottleMode.Shaping)
            .Select(i =>
            {
                Interlocked.Increment(ref pulled);
                return (PipelineElement)new ScoredElement(consumer.Offset(i % Partitions, i / Partitions), DateTimeOffset.UtcNow, PostgresTestData.Row(i));
            })
            .Via(StoreFlow.Create(store, settings, pipelineMetrics, TimeProvider.System, Sys.Log))
            .RunWith(Sink.ForEach<CommittableOffset>(emitted.Enqueue), Sys.Materializer());

        await Until(() => emitted.Count >= 2_000, TimeSpan.FromSeconds(60));
        var outage = Stopwatch.StartNew();
        server.Stop();
        var durableAtStop = emitted.Count;
        var pulledAtStop = Interlocked.Read(ref pulled);

        await Task.Delay(Settle);
        var pulledSettled = Interlocked.Read(ref pulled);
        var emittedSettled = emitted.Count;
        var memorySettled = GC.GetTotalMemory(forceFullCollection: true);
        await Task.Delay(Outage - outage.Elapsed);
        var pulledAtRestart = Interlocked.Read(ref pulled);
        var emittedAtRestart = emitted.Count;
        var memoryAtRestart = GC.GetTotalMemory(forceFullCollection: true);
        var retriesDuringOutage = storeMetrics.ConnectionRebuilds;
        var outageLength = outage.Elapsed;
        server.Restart();
        var recovery = Stopwatch.StartNew();

        await done.WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine(
            $"outage {outageLength.TotalSeconds:F1} s: pulled {pulledAtStop} at stop, {pulledSettled} after {Settle.TotalSeconds:F0} s, {pulledAtRestart} at restart " +
            $"({pulledAtRestart - durableAtStop} beyond the {durableAtStop} durable at stop); memory {memorySettled / 1024} KiB -> {memoryAtRestart / 1024} KiB; " +
            $"{retriesDuringOutage} connection rebuilds; stream finished {recovery.Elapsed.TotalSeconds:F1} s after restart");

        // Paused: nothing pulled and nothing released while the database was away, in-flight work bounded by two batches and the stage buffers.
        Assert.Equal(pulledSettled, pulledAtRestart);
        Assert.Equal(emittedSettled, emittedAtRestart);
        Assert.InRange(pulledAtRestart - durableAtStop, 0, (2 * BatchSize) + 64);
        Assert.InRange(memoryAtRestart - memorySettled, long.MinValue, 16 * 1024 * 1024);

        // Nothing lost, nothing duplicated, offsets released in input order.
        Assert.Equal(Total, await PostgresTestData.ScalarAsync(cs, "SELECT count(*) FROM scored_transactions"));
        Assert.Equal(Total, await PostgresTestData.ScalarAsync(cs, "SELECT count(DISTINCT transaction_id) FROM scored_transactions"));
        Assert.Equal(
            Enumerable.Range(0, Total).Select(i => (i % Partitions, (long)(i / Partitions))),
            emitted.Select(o => (o.TopicPartition.Partition.Value, o.Offset)));
        var offsets = await store.LoadOffsetsAsync(PostgresTestData.Group, null, CancellationToken.None);
        Assert.Equal(Enumerable.Repeat((long)(Total / Partitions), Partitions), Enumerable.Range(0, Partitions).Select(p => offsets[new Confluent.Kafka.TopicPartition(PostgresTestData.Topic, p)]));
        Assert.True(storeMetrics.ConnectionRebuilds >= 1, "the data source is rebuilt after the connection failure");
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"condition not met within {timeout}");
            await Task.Delay(20);
        }
    }
}
