using System.Globalization;
using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Models.Domain;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Ingest;

[Trait("Category", "Integration")]
public sealed class IngestFlowTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string Key = "ingest-flow-test-key-0123456789abcdef0123456789";
    private static readonly DateTimeOffset At = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly MockKafka _kafka = MockKafka.Start();

    [Theory]
    [InlineData(2, 256, 7)]
    [InlineData(1, 16, 11)]
    [InlineData(4, 3, 13)]
    public async Task Flow_should_emit_what_the_per_element_chain_emits_in_the_same_order_when_records_are_random(int parallelism, int decodeBatch, int seed)
    {
        var reference = ReferenceConfigFile.With($"pipeline.pii.key = \"{Key}\"");
        var ingest = IngestSettings.Create(reference.GetConfig("pipeline.ingest")) with { DecodeParallelism = parallelism, DecodeBatch = decodeBatch };
        var pii = PiiSettings.Create(reference.GetConfig("pipeline.pii"), embedded: false);
        var dedupe = DedupeSettings.Create(reference.GetConfig("pipeline.dedupe")) with { BatchSize = 5 };
        var clock = new DecoderTestData.FixedClock(At);
        var messages = RandomMessages(new Random(seed), 3000);

        var (chainOut, chainDq, chainDlq) = await Run(messages, (producer, topic, dq, pm) => Flow.Create<CommittableMessage<string, byte[]>>()
            .Via(DecodeFlow.Create(ingest, clock, pm))
            .Via(DeadLetterFlow.Create(producer, topic, dq))
            .Via(DedupeFlow.Create(new InMemoryDedupeStore(100_000, TimeSpan.FromHours(1), clock), dedupe, dq))
            .Via(ProtectPiiFlow.Create(pii, dq, Sys.Log)));
        var (batchOut, batchDq, batchDlq) = await Run(messages, (producer, topic, dq, pm) =>
            IngestFlow.Create(ingest, pii, producer, topic, new InMemoryDedupeStore(100_000, TimeSpan.FromHours(1), clock), dedupe, clock, pm, dq, Sys.Log)
                .SelectMany(batch => batch));

        Assert.Equal(messages.Count, batchOut.Count);
        Assert.Equal(chainOut.Select(Describe), batchOut.Select(Describe));
        Assert.Equal(messages.Select(m => m.CommittableOffset.Offset), batchOut.Select(e => e.Offset.Offset));
        Assert.Contains(batchOut, e => e is SkippedRecord);
        Assert.Contains(batchOut, e => e is QuarantinedRecord);
        Assert.Contains(batchOut, e => e is AcceptedTransaction { PiiProtected: true });
        Assert.Equal(chainDlq, batchDlq);
        Assert.Equal(batchOut.Count(e => e is QuarantinedRecord), batchDlq.Count);
        Assert.Equal(chainDq, batchDq);
    }

    [Fact]
    public async Task Flow_should_send_original_bytes_to_the_dead_letter_topic_and_keep_only_masked_ones_when_a_quarantined_record_holds_pii()
    {
        var reference = ReferenceConfigFile.With($"pipeline.pii.key = \"{Key}\"");
        var ingest = IngestSettings.Create(reference.GetConfig("pipeline.ingest"));
        var pii = PiiSettings.Create(reference.GetConfig("pipeline.pii"), embedded: false);
        var dedupe = DedupeSettings.Create(reference.GetConfig("pipeline.dedupe"));
        var clock = new DecoderTestData.FixedClock(At);
        var raw = DecoderTestData.Bytes(("amount", "0"));
        var messages = new List<CommittableMessage<string, byte[]>> { Message(0, 0, raw) };

        var (output, _, deadLetters) = await Run(messages, (producer, topic, dq, pm) =>
            IngestFlow.Create(ingest, pii, producer, topic, new InMemoryDedupeStore(10, TimeSpan.FromHours(1), clock), dedupe, clock, pm, dq, Sys.Log)
                .SelectMany(batch => batch));

        var quarantined = Assert.IsType<QuarantinedRecord>(Assert.Single(output));
        Assert.True(quarantined.Redacted);
        Assert.DoesNotContain(DecoderTestData.CardNumber, Encoding.UTF8.GetString(quarantined.Entry.Raw.Span));
        Assert.Equal(Encoding.UTF8.GetString(raw), Assert.Single(deadLetters).Split('|')[1]);
    }

    public new void Dispose()
    {
        _kafka.Dispose();
        base.Dispose();
    }

    private async Task<(List<PipelineElement> Output, string Metrics, List<string> DeadLetters)> Run(
        List<CommittableMessage<string, byte[]>> messages,
        Func<ProducerSettings<byte[]?, byte[]>, string, DataQualityMetrics, PipelineMetrics, Flow<CommittableMessage<string, byte[]>, PipelineElement, NotUsed>> flow)
    {
        var registry = new CollectorRegistry();
        var dq = new DataQualityMetrics(registry);
        var pm = new PipelineMetrics(registry);
        var topic = _kafka.CreateTopic("dlq", 1);
        var producer = ProducerSettings<byte[]?, byte[]>.Create(ReferenceConfigFile.Load().GetConfig("pipeline.kafka.producer"), null, null)
            .WithBootstrapServers(_kafka.BootstrapServers)
            .WithClientId("dlq-" + topic);
        var output = await Source.From(messages)
            .Via(flow(producer, topic, dq, pm))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(60));
        using var exported = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(exported);
        // Every counter of both metrics classes (accepted, quarantined by reason, dead letters, duplicates, PII fields, masked records).
        var counters = string.Join("\n", Encoding.UTF8.GetString(exported.ToArray()).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Order(StringComparer.Ordinal));
        return (output.ToList(), counters, ReadDeadLetters(topic, output.Count(e => e is QuarantinedRecord)));
    }

    private List<string> ReadDeadLetters(string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers,
            GroupId = MockKafka.NewGroupId("dlq-reader"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(new TopicPartition(topic, 0), Offset.Beginning));
        var letters = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (letters.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { } record) continue;
            var headers = string.Join(",", record.Message.Headers.Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.GetValueBytes())}"));
            letters.Add($"{(record.Message.Key is null ? "-" : Encoding.UTF8.GetString(record.Message.Key))}|{Encoding.UTF8.GetString(record.Message.Value)}|{headers}");
        }

        return letters;
    }

    // A full, content-based description: records compare byte arrays by reference, the pipeline by content.
    private static string Describe(PipelineElement element) => element switch
    {
        AcceptedTransaction a => $"A {a.Offset.Offset} {a.ReceivedAt:O} {a.PiiProtected} {a.Transaction}|{a.Transaction.CardNumber}|{a.Transaction.Email}|{a.Transaction.ExtraJson}",
        QuarantinedRecord q => $"Q {q.Offset.Offset} {q.ReceivedAt:O} {q.Redacted} {q.Entry with { Raw = default }} {Convert.ToHexString(q.Entry.Raw.Span)} {(q.Key is null ? "-" : Convert.ToHexString(q.Key))}",
        SkippedRecord s => $"S {s}",
        _ => throw new InvalidOperationException(element.GetType().Name),
    };

    // Valid transactions with PII (some with e-mails in unknown fields), repeats of earlier ones (duplicates),
    // and every hostile kind, shuffled.
    private static List<CommittableMessage<string, byte[]>> RandomMessages(Random random, int count)
    {
        var payloads = new List<(string? Key, byte[] Value)>();
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(10);
            if (roll < 6)
            {
                var valid = HostileCorpus.Transaction(i, RandomGuid(random), At.AddMinutes(-random.Next(1, 500)));
                var value = random.Next(4) == 0
                    ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(valid.Value).TrimEnd('}') + $",\"note\":\"mail holder{i}@example.org\"}}")
                    : valid.Value;
                payloads.Add((valid.Key, value));
            }
            else if (roll < 8 && payloads.Count > 0)
            {
                payloads.Add(payloads[random.Next(payloads.Count)]);
            }
            else
            {
                var kinds = HostileCorpus.Kinds(i).Where(k => k.Reason != "payload_too_large").ToList();
                var hostile = kinds[random.Next(kinds.Count)];
                payloads.Add((hostile.Key, hostile.Value));
            }
        }

        return payloads.Select((p, i) => Message(i % 3, i, p.Value, p.Key)).ToList();
    }

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static CommittableMessage<string, byte[]> Message(int partition, long offset, byte[] value, string? key = "acct-0001")
    {
        var offsetOf = IngestTestData.Offset(partition, offset);
        var result = new ConsumeResult<string, byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset(offsetOf.TopicPartition, new Offset(offset)),
            Message = new Message<string, byte[]> { Key = key!, Value = value, Timestamp = new Timestamp(At) },
        };
        return new CommittableMessage<string, byte[]>(result, offsetOf);
    }
}
