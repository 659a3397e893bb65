using Confluent.Kafka;
using Pipeline.Host.Producing;
using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;
using Xunit;

namespace Pipeline.Tests.Host.Producing;

[Trait("Category", "Integration")]
public sealed class SyntheticProducerTests : IDisposable
{
    private static readonly TimeSpan s_consumeDeadline = TimeSpan.FromSeconds(60);

    // Generated timestamps lie in 2024; only the decoder's future rule reads the clock.
    private static readonly DecoderLimits s_limits = DecoderLimits.Default;

    private readonly MockCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task RunAsync_should_deliver_every_transaction_keyed_by_account_when_rate_is_unlimited()
    {
        var options = Options(500);

        var summary = await new SyntheticProducer(options).RunAsync(CancellationToken.None);

        var records = Consume(options.TransactionsTopic, 500);
        var decoded = records.Select(r => (r.Message.Key, Result: TransactionDecoder.Decode(r.Message.Value, s_limits))).ToList();
        Assert.All(decoded, d => Assert.True(d.Result.IsValid, d.Result.ToString()));
        Assert.All(decoded, d => Assert.Equal(d.Key, d.Result.Value!.AccountId));
        Assert.Equal(
            TransactionGenerator.Generate(options.Generator).Select(g => g.Transaction).OrderBy(t => t.TransactionId),
            decoded.Select(d => d.Result.Value!).OrderBy(t => t.TransactionId));
        Assert.True(summary.Succeeded, summary.ToString());
        Assert.Equal((500L, 500L, 1000L), (summary.Sent, summary.LabelsSent, summary.Delivered));
        Assert.False(summary.Cancelled);
    }

    [Fact]
    public async Task RunAsync_should_send_each_label_after_its_transaction_when_labels_come_due()
    {
        var options = Options(500);
        var expected = TransactionGenerator.Generate(options.Generator).ToDictionary(g => g.Transaction.TransactionId);

        await new SyntheticProducer(options).RunAsync(CancellationToken.None);

        var transactions = Consume(options.TransactionsTopic, 500)
            .ToDictionary(r => TransactionDecoder.Decode(r.Message.Value, s_limits).Value!.TransactionId);
        var labels = Consume(options.LabelsTopic, 500);
        var decoded = labels.Select(r => (Record: r, Result: TransactionLabelDecoder.Decode(r.Message.Value, s_limits))).ToList();
        Assert.All(decoded, d => Assert.True(d.Result.IsValid, d.Result.ToString()));
        Assert.Equal(expected.Keys.Order(), decoded.Select(d => d.Result.Value!.TransactionId).Order());
        foreach (var (record, result) in decoded)
        {
            var label = result.Value!;
            var source = expected[label.TransactionId];
            Assert.Equal(source.IsAnomaly, label.IsFraud);
            Assert.Equal(source.LabelDueAt, label.LabelledAt);
            Assert.Equal(source.Transaction.AccountId, record.Message.Key);
            Assert.True(
                record.Message.Timestamp.UnixTimestampMs >= transactions[label.TransactionId].Message.Timestamp.UnixTimestampMs,
                "label produced before its transaction");
        }

        Assert.Contains(decoded, d => d.Result.Value!.IsFraud);
    }

    [Fact]
    public async Task RunAsync_should_wait_and_retry_without_losing_messages_when_the_local_queue_is_full()
    {
        var options = Options(500) with
        {
            KafkaProperties = new Dictionary<string, string> { ["queue.buffering.max.messages"] = "5" },
        };

        var summary = await new SyntheticProducer(options).RunAsync(CancellationToken.None);

        Assert.True(summary.QueueFullWaits > 0, "the queue never filled, so the retry path was not exercised");
        Assert.True(summary.Succeeded, summary.ToString());
        Assert.Equal(500, Consume(options.TransactionsTopic, 500).Select(r => r.Message.Value).Distinct(ByteArrayComparer.Instance).Count());
    }

    [Fact]
    public async Task RunAsync_should_flush_what_was_sent_and_report_cancelled_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        var options = Options(1_000_000) with { RatePerSecond = 2000 };
        var progress = new CancelOnFirstReport(cts);

        var summary = await new SyntheticProducer(options, progress).RunAsync(cts.Token);

        Assert.True(summary.Cancelled);
        Assert.InRange(summary.Sent, 1, 100_000);
        Assert.Equal(0, summary.Outstanding);
        Assert.Equal(summary.Sent + summary.LabelsSent, summary.Delivered);
        Assert.Equal(summary.Sent, Consume(options.TransactionsTopic, (int)summary.Sent).Count);
    }

    [Fact]
    public async Task RunAsync_should_hold_the_rate_limit_and_report_progress_at_most_every_interval()
    {
        var options = Options(1500) with { RatePerSecond = 1000 };
        var progress = new RecordingProgress();

        var summary = await new SyntheticProducer(options, progress).RunAsync(CancellationToken.None);

        // 1500 records at 1000/s cannot finish before the 1500th is due at 1.499 s, whatever the machine.
        Assert.True(summary.Elapsed >= TimeSpan.FromSeconds(1.49 - RatePacer.Slack.TotalSeconds), summary.Elapsed.ToString());
        Assert.InRange(progress.Reports.Count, 1, 3);
        Assert.All(progress.Reports.Zip(progress.Reports.Skip(1)), p => Assert.True(p.Second.Elapsed - p.First.Elapsed >= options.ProgressInterval));
        Assert.All(progress.Reports, r => Assert.Equal(1500, r.Total));
        Assert.Equal(progress.Reports.Select(r => r.Sent).Order(), progress.Reports.Select(r => r.Sent));
    }

    [Fact]
    public async Task RunAsync_should_report_every_message_as_failed_when_no_broker_is_reachable()
    {
        // Port 1 on loopback refuses connections, so every message times out in the client.
        var options = Options(20) with
        {
            BootstrapServers = "127.0.0.1:1",
            KafkaProperties = new Dictionary<string, string> { ["message.timeout.ms"] = "1000" },
        };

        var summary = await new SyntheticProducer(options).RunAsync(CancellationToken.None);

        Assert.False(summary.Succeeded);
        Assert.NotNull(summary.FirstError);
        Assert.Equal((0L, 40L, 0L), (summary.Delivered, summary.Failed, summary.Outstanding));
    }

    private SyntheticProducerOptions Options(int count) => new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        RatePerSecond = 0,
        Generator = new GeneratorOptions
        {
            Accounts = 40,
            Seed = 11,
            NormalCount = count * 6 / 10,
            DriftCount = count * 2 / 10,
            AttackCount = count - (count * 6 / 10) - (count * 2 / 10),
            AttackFraction = 0.2,
        },
    };

    private List<ConsumeResult<string, byte[]>> Consume(string topic, int expected)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = "test-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        // Assigning every partition from the start skips the group rebalance, which takes seconds on the mock cluster.
        consumer.Assign(_cluster.Partitions(topic).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<string, byte[]>>();
        using var deadline = new CancellationTokenSource(s_consumeDeadline);
        try
        {
            while (records.Count < expected)
            {
                var record = consumer.Consume(deadline.Token);
                if (!record.IsPartitionEOF) records.Add(record);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"consumed {records.Count} of {expected} records from {topic} within {s_consumeDeadline}");
        }
        finally
        {
            consumer.Close();
        }

        return records;
    }

    /// <summary>librdkafka's in-process mock cluster; the admin client that creates it must outlive its use.</summary>
    private sealed class MockCluster : IDisposable
    {
        private readonly IAdminClient _owner;

        public MockCluster()
        {
            var config = new AdminClientConfig();
            config.Set("test.mock.num.brokers", "1");
            _owner = new AdminClientBuilder(config).Build();
            var metadata = _owner.GetMetadata(TimeSpan.FromSeconds(5));
            BootstrapServers = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
        }

        public string BootstrapServers { get; }

        public IEnumerable<Partition> Partitions(string topic) =>
            _owner.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.Single().Partitions.Select(p => new Partition(p.PartitionId));

        public void Dispose() => _owner.Dispose();
    }

    private sealed class CancelOnFirstReport(CancellationTokenSource cts) : IProgress<ProducerProgress>
    {
        public void Report(ProducerProgress value) => cts.Cancel();
    }

    private sealed class RecordingProgress : IProgress<ProducerProgress>
    {
        public List<ProducerProgress> Reports { get; } = [];

        public void Report(ProducerProgress value) => Reports.Add(value);
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
