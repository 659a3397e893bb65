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

namespace Pipeline.Tests.Graph.Kafka.Internal;

/// <summary>The producer stage against a scripted producer: the test decides when and how each delivery is reported.</summary>
public sealed class ProducerStageTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    private static readonly Lazy<Config> ProducerBlock = new(LoadProducerBlock);

    private readonly FakeProducer _producer = new();
    private readonly ActorMaterializer _materializer;

    public ProducerStageTests() => _materializer = Sys.Materializer();

    [Fact]
    public async Task Stage_should_emit_results_in_input_order_when_deliveries_are_reported_out_of_order()
    {
        var (source, sink) = Run(Settings(nameof(Stage_should_emit_results_in_input_order_when_deliveries_are_reported_out_of_order)));
        await sink.RequestAsync(3);
        await source.SendNextAsync([Envelope(0), Envelope(1), Envelope(2)]);
        await AwaitAssertAsync(() => Assert.Equal(3, _producer.Produced.Count));

        _producer.Deliver(2);
        _producer.Deliver(1);
        await sink.ExpectNoMsgAsync(Quiet);
        _producer.Deliver(0);

        Assert.Equal([0, 1, 2], (await sink.ExpectNextNAsync(3)).Select(r => r.PassThrough));
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Stage_should_complete_only_after_the_last_delivery_when_upstream_completes_first()
    {
        var (source, sink) = Run(Settings(nameof(Stage_should_complete_only_after_the_last_delivery_when_upstream_completes_first)));
        await sink.RequestAsync(3);
        await source.SendNextAsync([Envelope(0), Envelope(1)]);
        await source.SendCompleteAsync();
        await AwaitAssertAsync(() => Assert.Equal(2, _producer.Produced.Count));
        await sink.ExpectNoMsgAsync(Quiet);

        _producer.Deliver(0);
        _producer.Deliver(1);

        Assert.Equal([0, 1], (await sink.ExpectNextNAsync(2)).Select(r => r.PassThrough));
        await sink.ExpectCompleteAsync();
        await AwaitAssertAsync(() => Assert.Equal(1, _producer.DisposeCalls));
    }

    [Fact]
    public async Task Stage_should_retry_a_record_refused_for_a_full_queue_without_producing_anything_behind_it()
    {
        var settings = Settings(nameof(Stage_should_retry_a_record_refused_for_a_full_queue_without_producing_anything_behind_it));
        _producer.QueueFullRefusals = 3;
        var (source, sink) = Run(settings);
        await sink.RequestAsync(2);

        await source.SendNextAsync([Envelope(0), Envelope(1)]);
        await AwaitAssertAsync(() => Assert.Equal(2, _producer.Produced.Count));
        _producer.Deliver(0);
        _producer.Deliver(1);

        Assert.Equal([0, 1], (await sink.ExpectNextNAsync(2)).Select(r => r.PassThrough));
        Assert.Equal(["v0", "v1"], _producer.Produced.Select(p => p.Message.Value));
        Assert.Equal(3, ProducerMetrics.QueueFullRetries.WithLabels(settings.ClientId).Value);
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Stage_should_fail_and_dispose_without_flushing_when_a_delivery_fails()
    {
        var settings = Settings(nameof(Stage_should_fail_and_dispose_without_flushing_when_a_delivery_fails));
        var (source, sink) = Run(settings);
        await sink.RequestAsync(3);
        await source.SendNextAsync([Envelope(0), Envelope(1), Envelope(2)]);
        await AwaitAssertAsync(() => Assert.Equal(3, _producer.Produced.Count));

        _producer.Deliver(1, ErrorCode.Local_MsgTimedOut);

        var failure = Assert.IsType<ProducerDeliveryException>(await sink.ExpectErrorAsync());
        Assert.Equal(ErrorCode.Local_MsgTimedOut, failure.Error.Code);
        Assert.Contains("'stage-topic' partition 1", failure.Message);
        await source.ExpectCancellationAsync();
        await AwaitAssertAsync(() => Assert.Equal(1, _producer.DisposeCalls));
        Assert.Equal(0, _producer.FlushCalls);
        Assert.Equal(0, ProducerMetrics.InFlight.WithLabels(settings.ClientId).Value);
    }

    [Fact]
    public async Task Stage_should_flush_then_dispose_when_downstream_cancels_with_records_on_their_way()
    {
        var (source, sink) = Run(Settings(nameof(Stage_should_flush_then_dispose_when_downstream_cancels_with_records_on_their_way)));
        await source.SendNextAsync([Envelope(0), Envelope(1)]);
        await AwaitAssertAsync(() => Assert.Equal(2, _producer.Produced.Count));

        await sink.CancelAsync();

        await source.ExpectCancellationAsync();
        await AwaitAssertAsync(() => Assert.Equal(1, _producer.DisposeCalls));
        Assert.Equal(1, _producer.FlushCalls);
    }

    [Fact]
    public async Task Stage_should_fail_when_librdkafka_reports_a_fatal_error()
    {
        var (source, sink) = Run(Settings(nameof(Stage_should_fail_when_librdkafka_reports_a_fatal_error)));
        await sink.RequestAsync(1);
        await source.SendNextAsync(Envelope(0));
        await AwaitAssertAsync(() => Assert.Single(_producer.Produced));

        _producer.RaiseError(new Error(ErrorCode.OutOfOrderSequenceNumber, "sequence gap", isFatal: true));

        var failure = Assert.IsType<ProducerDeliveryException>(await sink.ExpectErrorAsync());
        Assert.True(failure.Error.IsFatal);
        Assert.Contains("fatal", failure.Message);
        await source.ExpectCancellationAsync();
    }

    [Fact]
    public async Task Stage_should_log_a_transient_librdkafka_error_and_keep_producing()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));
        var (source, sink) = Run(Settings(nameof(Stage_should_log_a_transient_librdkafka_error_and_keep_producing)));
        await sink.RequestAsync(1);
        await source.SendNextAsync(Envelope(0));
        await AwaitAssertAsync(() => Assert.Single(_producer.Produced));

        _producer.RaiseError(new Error(ErrorCode.Local_AllBrokersDown, "1/1 brokers are down"));
        await warnings.FishForMessageAsync<Akka.Event.Warning>(w => w.Message.ToString()!.Contains("1/1 brokers are down"));
        _producer.Deliver(0);

        Assert.Equal(0, (await sink.ExpectNextAsync()).PassThrough);
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Stage_should_neither_flush_nor_dispose_a_shared_producer()
    {
        var settings = Settings(nameof(Stage_should_neither_flush_nor_dispose_a_shared_producer));
        var (source, sink) = TestSource.Probe<IEnvelope<string, string, int>>(this)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings, _producer))
            .ToMaterialized(TestSink.Probe<IResults<string, string, int>>(this), Keep.Both)
            .Run(_materializer);
        await sink.RequestAsync(1);
        await source.SendNextAsync(Envelope(0));
        await AwaitAssertAsync(() => Assert.Single(_producer.Produced));
        _producer.Deliver(0);
        await sink.ExpectNextAsync();

        await source.SendCompleteAsync();

        await sink.ExpectCompleteAsync();
        Assert.Equal(0, _producer.DisposeCalls);
        Assert.Equal(0, _producer.FlushCalls);
    }

    [Fact]
    public async Task Stage_should_hold_one_pass_through_and_stop_pulling_when_downstream_gives_no_demand()
    {
        var (source, sink) = RunWithInputBuffer(Settings(nameof(Stage_should_hold_one_pass_through_and_stop_pulling_when_downstream_gives_no_demand)));

        // The stage holds one element and the boundary's one-element buffer the next; nothing more is asked for.
        await source.SendNextAsync([PassThrough(0), PassThrough(1)]);
        await source.ExpectNoMsgAsync(Quiet);
        await sink.RequestAsync(3);
        await source.SendNextAsync(PassThrough(2));

        Assert.Equal([0, 1, 2], (await sink.ExpectNextNAsync(3)).Select(r => r.PassThrough));
        Assert.Empty(_producer.Produced);
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task Stage_should_keep_reading_pass_throughs_behind_a_record_awaiting_its_acknowledgement()
    {
        var (source, sink) = RunWithInputBuffer(Settings(nameof(Stage_should_keep_reading_pass_throughs_behind_a_record_awaiting_its_acknowledgement)));

        await source.SendNextAsync([Envelope(0), PassThrough(1), PassThrough(2), PassThrough(3)]);
        await AwaitAssertAsync(() => Assert.Single(_producer.Produced));
        await sink.RequestAsync(4);
        await sink.ExpectNoMsgAsync(Quiet);
        _producer.Deliver(0);

        Assert.Equal([0, 1, 2, 3], (await sink.ExpectNextNAsync(4)).Select(r => r.PassThrough));
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
    }

    private static IEnvelope<string, string, int> PassThrough(int i) => ProducerMessage.PassThrough<string, string, int>(i);

    private (PublisherProbe<IEnvelope<string, string, int>> Source, SubscriberProbe<IResults<string, string, int>> Sink) RunWithInputBuffer(
        ProducerSettings<string, string> settings) =>
        TestSource.Probe<IEnvelope<string, string, int>>(this)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .ToMaterialized(TestSink.Probe<IResults<string, string, int>>(this), Keep.Both)
            .WithAttributes(Attributes.CreateInputBuffer(1, 1))
            .Run(_materializer);

    private static IEnvelope<string, string, int> Envelope(int i) =>
        ProducerMessage.Single(new ProducerRecord<string, string>("stage-topic", $"k{i}", $"v{i}") { Partition = i % 2 }, i);

    private ProducerSettings<string, string> Settings(string clientId) =>
        ProducerSettings<string, string>.Create(ProducerBlock.Value, null, null)
            .WithClientId(clientId)
            .WithQueueFullRetryInterval(TimeSpan.FromMilliseconds(5))
            .WithProducerFactory((_, errorHandler, _) =>
            {
                _producer.ErrorHandler = errorHandler;
                return _producer;
            });

    private (PublisherProbe<IEnvelope<string, string, int>> Source, SubscriberProbe<IResults<string, string, int>> Sink) Run(
        ProducerSettings<string, string> settings) =>
        TestSource.Probe<IEnvelope<string, string, int>>(this)
            .Via(KafkaProducer.FlexiFlow<string, string, int>(settings))
            .ToMaterialized(TestSink.Probe<IResults<string, string, int>>(this), Keep.Both)
            .Run(_materializer);

    private static Config LoadProducerBlock() => ReferenceConfigFile.Load().GetConfig("pipeline.kafka.producer");

    /// <summary>
    /// Records what the stage produces and reports deliveries only when the test says so, from the
    /// test's thread, as librdkafka does from its own.
    /// </summary>
    private sealed class FakeProducer : IProducer<string, string>
    {
        private readonly object _gate = new();
        private readonly List<(TopicPartition Target, Message<string, string> Message, Action<DeliveryReport<string, string>> Handler)> _produced = [];
        private int _flushCalls;
        private int _disposeCalls;

        public Action<IProducer<string, string>, Error>? ErrorHandler { get; set; }

        /// <summary>How many of the next Produce calls fail with Local: Queue full.</summary>
        public int QueueFullRefusals { get; set; }

        public IReadOnlyList<(TopicPartition Target, Message<string, string> Message, Action<DeliveryReport<string, string>> Handler)> Produced
        {
            get
            {
                lock (_gate) return _produced.ToList();
            }
        }

        public int FlushCalls => Volatile.Read(ref _flushCalls);

        public int DisposeCalls => Volatile.Read(ref _disposeCalls);

        public Handle Handle => throw new NotSupportedException();

        public string Name => "fake";

        public void Produce(TopicPartition topicPartition, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler)
        {
            lock (_gate)
            {
                if (QueueFullRefusals > 0)
                {
                    QueueFullRefusals--;
                    throw new ProduceException<string, string>(new Error(ErrorCode.Local_QueueFull), new DeliveryResult<string, string> { Message = message });
                }

                _produced.Add((topicPartition, message, deliveryHandler!));
            }
        }

        public void Produce(string topic, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler) =>
            Produce(new TopicPartition(topic, Partition.Any), message, deliveryHandler);

        public void Deliver(int index, ErrorCode error = ErrorCode.NoError)
        {
            var (target, message, handler) = Produced[index];
            var partition = target.Partition == Partition.Any ? new Partition(0) : target.Partition;
            handler(new DeliveryReport<string, string>
            {
                TopicPartitionOffsetError = new TopicPartitionOffsetError(target.Topic, partition, new Offset(error == ErrorCode.NoError ? index : Offset.Unset.Value), new Error(error)),
                Message = message,
            });
        }

        public void RaiseError(Error error) => ErrorHandler!(this, error);

        public int Flush(TimeSpan timeout)
        {
            Interlocked.Increment(ref _flushCalls);
            return 0;
        }

        public void Flush(CancellationToken cancellationToken) => Interlocked.Increment(ref _flushCalls);

        public void Dispose() => Interlocked.Increment(ref _disposeCalls);

        public Task<DeliveryResult<string, string>> ProduceAsync(string topic, Message<string, string> message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("the stage produces with delivery handlers");

        public Task<DeliveryResult<string, string>> ProduceAsync(TopicPartition topicPartition, Message<string, string> message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("the stage produces with delivery handlers");

        public int Poll(TimeSpan timeout) => 0;

        public int AddBrokers(string brokers) => 0;

        public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

        public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

        public void BeginTransaction() => throw new NotSupportedException();

        public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void CommitTransaction() => throw new NotSupportedException();

        public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void AbortTransaction() => throw new NotSupportedException();

        public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
            throw new NotSupportedException();
    }
}
