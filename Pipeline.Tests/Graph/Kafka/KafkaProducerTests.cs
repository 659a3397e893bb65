using Akka;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Pipeline.Tests.TestKit;
using Xunit;
using Config = Akka.Configuration.Config;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Kafka;

[Trait("Category", "Integration")]
public sealed class KafkaProducerTests : Akka.TestKit.Xunit2.TestKit
{
    private const int Partitions = 4;
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<Config> ProducerBlock = new(LoadProducerBlock);

    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start();
    private readonly ActorMaterializer _materializer;

    public KafkaProducerTests() => _materializer = Sys.Materializer();

    [Fact]
    public async Task FlexiFlow_should_emit_results_in_input_order_with_their_pass_throughs()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_emit_results_in_input_order_with_their_pass_throughs));
        var records = Records(topic, 500);

        var results = await Source.From(records.Select((r, i) => ProducerMessage.Single(r, i)))
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer)
            .WaitAsync(StreamTimeout);

        Assert.Equal(Enumerable.Range(0, records.Count), results.Select(r => r.PassThrough));
        var singles = results.Cast<Result<string, string, int>>().ToList();
        Assert.Equal(records, singles.Select(r => r.Record));
        Assert.All(singles, r => Assert.True(r.TopicPartitionOffset.Offset.Value >= 0));
        Assert.Equal(records.Count, ProducerMetrics.Produced.WithLabels(settings.ClientId, topic).Value);
        Assert.Equal(0, ProducerMetrics.InFlight.WithLabels(settings.ClientId).Value);
        AssertStoredInOrder(records, ConsumeAll(topic, records.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_answer_multi_and_pass_through_envelopes_in_their_place()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_answer_multi_and_pass_through_envelopes_in_their_place));
        var r = Records(topic, 5);
        var envelopes = new[]
        {
            ProducerMessage.Single(r[0], "single"),
            ProducerMessage.PassThrough<string, string, string>("skipped"),
            ProducerMessage.Multi(new[] { r[1], r[2], r[3] }, "multi"),
            ProducerMessage.Multi(Array.Empty<ProducerRecord<string, string>>(), "empty"),
            ProducerMessage.Single(r[4], "last"),
        };

        var results = await Source.From(envelopes)
            .Via(KafkaProducer.FlexiFlow<string, string, string>(settings))
            .RunWith(Sink.Seq<IResults<string, string, string>>(), _materializer)
            .WaitAsync(StreamTimeout);

        Assert.Equal(["single", "skipped", "multi", "empty", "last"], results.Select(x => x.PassThrough));
        Assert.IsType<Result<string, string, string>>(results[0]);
        Assert.IsType<PassThroughResult<string, string, string>>(results[1]);
        var multi = Assert.IsType<MultiResult<string, string, string>>(results[2]);
        Assert.Equal(new[] { r[1], r[2], r[3] }, multi.Parts.Select(p => p.Record));
        Assert.All(multi.Parts, p => Assert.True(p.TopicPartitionOffset.Offset.Value >= 0));
        Assert.Empty(Assert.IsType<MultiResult<string, string, string>>(results[3]).Parts);
        AssertStoredInOrder(r, ConsumeAll(topic, r.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_stop_pulling_at_parallelism_and_keep_partition_order_when_downstream_is_slow()
    {
        const int parallelism = 4;
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_stop_pulling_at_parallelism_and_keep_partition_order_when_downstream_is_slow));
        var records = Records(topic, 40);
        var (source, sink) = TestSource.Probe<IEnvelope<string, string, int>>(this)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings.WithParallelism(parallelism)))
            .ToMaterialized(TestSink.Probe<IResults<string, string, int>>(this), Keep.Both)
            .WithAttributes(Attributes.CreateInputBuffer(1, 1))
            .Run(_materializer);

        // Without downstream demand the stage takes `parallelism` envelopes, the boundary one more.
        for (var i = 0; i <= parallelism; i++) await source.SendNextAsync(ProducerMessage.Single(records[i], i), StreamTimeout);
        await source.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        for (var i = parallelism + 1; i < records.Count; i++)
        {
            var result = await sink.RequestNextAsync(StreamTimeout);
            Assert.Equal(i - parallelism - 1, result.PassThrough);
            await source.SendNextAsync(ProducerMessage.Single(records[i], i), StreamTimeout);
        }

        await source.SendCompleteAsync();
        await sink.RequestAsync(parallelism + 1);
        var rest = await sink.ExpectNextNAsync(parallelism + 1, StreamTimeout);
        Assert.Equal(Enumerable.Range(records.Count - parallelism - 1, parallelism + 1), rest.Select(x => x.PassThrough));
        await sink.ExpectCompleteAsync(StreamTimeout);
        AssertStoredInOrder(records, ConsumeAll(topic, records.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_treat_a_full_local_queue_as_backpressure_and_deliver_everything_in_order()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_treat_a_full_local_queue_as_backpressure_and_deliver_everything_in_order));
        settings = settings
            .WithProperty("queue.buffering.max.messages", "10")
            .WithProperty("linger.ms", "0")
            .WithQueueFullRetryInterval(TimeSpan.FromMilliseconds(2));
        var records = Records(topic, 3000);

        var results = await Source.From(records.Select((r, i) => ProducerMessage.Single(r, i)))
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer)
            .WaitAsync(StreamTimeout);

        Assert.Equal(Enumerable.Range(0, records.Count), results.Select(r => r.PassThrough));
        Assert.True(ProducerMetrics.QueueFullRetries.WithLabels(settings.ClientId).Value > 0, "the local queue never filled up");
        Assert.Equal(0, ProducerMetrics.Errors.WithLabels(settings.ClientId).Value);
        AssertStoredInOrder(records, ConsumeAll(topic, records.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_fail_naming_topic_and_reason_when_librdkafka_refuses_a_record()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_fail_naming_topic_and_reason_when_librdkafka_refuses_a_record));
        settings = settings.WithProperty("message.max.bytes", "1000");
        var records = Records(topic, 3).ToList();
        records.Insert(1, new ProducerRecord<string, string>(topic, "big", new string('x', 5000)));

        var run = Source.From(records.Select((r, i) => ProducerMessage.Single(r, i)))
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .RunWith(Sink.Seq<IResults<string, string, int>>(), _materializer);

        var ex = await Assert.ThrowsAsync<ProducerDeliveryException>(() => run.WaitAsync(StreamTimeout));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, ex.Error.Code);
        Assert.Equal(topic, ex.Topic);
        Assert.Contains($"'{settings.ClientId}'", ex.Message);
        Assert.Contains($"'{topic}'", ex.Message);
        Assert.Equal(1, ProducerMetrics.Errors.WithLabels(settings.ClientId).Value);
    }

    [Fact]
    public async Task FlexiFlow_should_fail_with_the_delivery_error_when_the_broker_stays_down_past_the_message_timeout()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_fail_with_the_delivery_error_when_the_broker_stays_down_past_the_message_timeout));
        settings = settings.WithProperty("message.timeout.ms", "1000");
        _cluster.SetBrokerDown(1);
        var records = Records(topic, 3);
        var (source, sink) = TestSource.Probe<IEnvelope<string, string, int>>(this)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .ToMaterialized(TestSink.Probe<IResults<string, string, int>>(this), Keep.Both)
            .Run(_materializer);

        await sink.RequestAsync(3);
        await source.SendNextAsync(records.Select((r, i) => ProducerMessage.Single(r, i)), StreamTimeout);

        var ex = Assert.IsType<ProducerDeliveryException>(await sink.ExpectErrorAsync(StreamTimeout));
        Assert.Equal(ErrorCode.Local_MsgTimedOut, ex.Error.Code);
        Assert.Contains($"'{topic}'", ex.Message);
        await source.ExpectCancellationAsync(StreamTimeout);
    }

    [Fact]
    public async Task PlainSink_should_complete_only_after_every_record_is_delivered()
    {
        var (topic, settings) = Arrange(nameof(PlainSink_should_complete_only_after_every_record_is_delivered));
        var records = Records(topic, 1000);

        await Source.From(records).RunWith(KafkaProducer.PlainSink(settings), _materializer).WaitAsync(StreamTimeout);

        // Read right at completion: nothing may still be on its way.
        Assert.Equal(records.Count, ProducerMetrics.Produced.WithLabels(settings.ClientId, topic).Value);
        Assert.Equal(0, ProducerMetrics.InFlight.WithLabels(settings.ClientId).Value);
        AssertStoredInOrder(records, ConsumeAll(topic, records.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_leave_a_shared_producer_usable_when_the_stream_completes()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_leave_a_shared_producer_usable_when_the_stream_completes));
        var records = Records(topic, 20);
        using var shared = settings.CreateKafkaProducer();

        await Source.From(records.Take(10)).RunWith(KafkaProducer.PlainSink(settings, shared), _materializer).WaitAsync(StreamTimeout);
        await Source.From(records.Skip(10)).RunWith(KafkaProducer.PlainSink(settings, shared), _materializer).WaitAsync(StreamTimeout);

        AssertStoredInOrder(records, ConsumeAll(topic, records.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_still_deliver_records_already_handed_over_when_downstream_cancels()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_still_deliver_records_already_handed_over_when_downstream_cancels));
        // A long linger keeps the later records in librdkafka's queue when the cancellation arrives.
        settings = settings.WithProperty("linger.ms", "300");
        var records = Records(topic, 10);
        var (source, sink) = TestSource.Probe<IEnvelope<string, string, int>>(this)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .ToMaterialized(TestSink.Probe<IResults<string, string, int>>(this), Keep.Both)
            .Run(_materializer);
        await source.SendNextAsync(ProducerMessage.Single(records[0], 0), StreamTimeout);
        Assert.Equal(0, (await sink.RequestNextAsync(StreamTimeout)).PassThrough);
        await source.SendNextAsync(records.Skip(1).Select((r, i) => ProducerMessage.Single(r, i + 1)), StreamTimeout);

        await sink.CancelAsync();

        await source.ExpectCancellationAsync(StreamTimeout);
        AssertStoredInOrder(records, ConsumeAll(topic, records.Count));
    }

    [Fact]
    public async Task FlexiFlow_should_log_a_warning_when_idempotence_is_turned_off()
    {
        var (topic, settings) = Arrange(nameof(FlexiFlow_should_log_a_warning_when_idempotence_is_turned_off));
        settings = settings.WithProperty("enable.idempotence", "false");

        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));

        await Source.From(Records(topic, 1)).RunWith(KafkaProducer.PlainSink(settings), _materializer).WaitAsync(StreamTimeout);

        await warnings.FishForMessageAsync<Akka.Event.Warning>(w => w.Message.ToString()!.Contains("\"enable.idempotence\" is off"));
    }

    [Fact]
    public void FlexiFlow_should_refuse_invalid_settings_when_the_flow_is_created()
    {
        var settings = ProducerSettings<string, string>.Create(ProducerBlock.Value, null, null).WithProperty("acks", "0");

        Assert.Throws<KafkaConfigurationException>(() => KafkaProducer.FlexiFlow<string, string, int>(settings));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _cluster.Dispose();
    }

    private (string Topic, ProducerSettings<string, string> Settings) Arrange(string testName)
    {
        // Topic and client id are unique per test, so the process-wide metrics are per test too.
        var topic = $"producer-{testName}";
        _cluster.CreateTopic(topic, Partitions);
        var settings = ProducerSettings<string, string>.Create(ProducerBlock.Value, null, null)
            .WithBootstrapServers(_cluster.BootstrapServers)
            .WithClientId(testName)
            .WithProperty("linger.ms", "1");
        return (topic, settings);
    }

    private static IReadOnlyList<ProducerRecord<string, string>> Records(string topic, int count) =>
        Enumerable.Range(0, count).Select(i => new ProducerRecord<string, string>(topic, $"account-{i % 7}", $"{i:D6}")).ToList();

    /// <summary>Each partition must hold its records in input order, and every record exactly once.</summary>
    private static void AssertStoredInOrder(IReadOnlyList<ProducerRecord<string, string>> sent, IReadOnlyList<ConsumeResult<string, string>> stored)
    {
        Assert.Equal(sent.Select(r => r.Value).Order(), stored.Select(r => r.Message.Value).Order());
        foreach (var partition in stored.GroupBy(r => r.Partition.Value))
        {
            var values = partition.OrderBy(r => r.Offset.Value).Select(r => r.Message.Value).ToList();
            Assert.Equal(values.Order(StringComparer.Ordinal), values);
        }

        // Same key, same partition: per-key order is what downstream consumers rely on.
        Assert.All(stored.GroupBy(r => r.Message.Key), byKey => Assert.Single(byKey.Select(r => r.Partition.Value).Distinct()));
    }

    private IReadOnlyList<ConsumeResult<string, string>> ConsumeAll(string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = $"verify-{topic}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var stored = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + StreamTimeout;
        while (stored.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result) stored.Add(result);
        }

        // A duplicate would show up here as one record too many.
        while (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } extra) stored.Add(extra);
        return stored;
    }

    private static Config LoadProducerBlock() => ReferenceConfigFile.Load().GetConfig("pipeline.kafka.producer");
}
