using System.Globalization;
using System.Text;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Writes every <see cref="QuarantinedRecord"/> to the dead-letter topic (DESIGN §3.3
/// <c>transactions-dlq</c>): the record's original value bytes and key, with headers saying why and
/// where it came from. Every other element passes through in its place, so offsets keep their order.
/// <para>
/// Headers (UTF-8 text, never payload values): <see cref="ReasonHeader"/>, <see cref="StageHeader"/>,
/// <see cref="DetailHeader"/>, <see cref="SourceTopicHeader"/>, <see cref="SourcePartitionHeader"/>,
/// <see cref="SourceOffsetHeader"/>, <see cref="ReceivedAtHeader"/> (RFC 3339, UTC) and, only when the value
/// had to be cut, <see cref="TruncatedFromHeader"/> (the original length in bytes).
/// </para>
/// <para>
/// <b>Size.</b> A record larger than the producer's <c>message.max.bytes</c> (librdkafka's default 1,000,000
/// when unset) would be refused and fail the stream, so its value is cut to fit and marked with
/// <see cref="TruncatedFromHeader"/>; the quarantine table still holds its full (masked) bytes. Set
/// <c>message.max.bytes</c> of the dead-letter producer to the dead-letter topic's <c>max.message.bytes</c>,
/// at least the source topic's, and nothing is ever cut.
/// </para>
/// <para>
/// <b>Placement.</b> Put it before <see cref="ProtectPiiFlow"/>: that stage masks the PII of quarantined
/// bytes, and the dead-letter topic must keep the original bytes for re-drive. The dead-letter topic therefore
/// holds the same data as the source topic and needs the same access control and retention.
/// </para>
/// <para>
/// Emits each element, in input order, once its dead-letter record (if any) is acknowledged by the broker;
/// backpressures when downstream does or when the producer's <c>parallelism</c> envelopes are in flight;
/// completes when upstream completes and every record is acknowledged; fails when a dead-letter record cannot
/// be delivered (after librdkafka's own retries for <c>message.timeout.ms</c>) — never because of a record's
/// content; cancels upstream when downstream cancels. Materialized value: <see cref="NotUsed"/>. Reads the
/// producer block it was given (see <see cref="KafkaProducer"/>).
/// </para>
/// </summary>
public static class DeadLetterFlow
{
    /// <summary>Header with the reason code of the rejection.</summary>
    public const string ReasonHeader = "x-reason";

    /// <summary>Header with the stage that rejected the record: <c>decode</c>, <c>schema</c> or <c>rule</c>.</summary>
    public const string StageHeader = "x-stage";

    /// <summary>Header with the human explanation of the rejection (names at most a contract field).</summary>
    public const string DetailHeader = "x-detail";

    /// <summary>Header with the source topic.</summary>
    public const string SourceTopicHeader = "x-source-topic";

    /// <summary>Header with the source partition, decimal.</summary>
    public const string SourcePartitionHeader = "x-source-partition";

    /// <summary>Header with the source offset, decimal.</summary>
    public const string SourceOffsetHeader = "x-source-offset";

    /// <summary>Header with the time the pipeline read the record, RFC 3339 UTC.</summary>
    public const string ReceivedAtHeader = "x-received-at";

    /// <summary>Header present only when the value was cut: the original value length in bytes, decimal.</summary>
    public const string TruncatedFromHeader = "x-truncated-from";

    /// <summary>Header present only when the value bytes had already been masked by <see cref="ProtectPiiFlow"/> (a wiring mistake).</summary>
    public const string RedactedHeader = "x-redacted";

    // librdkafka's default message.max.bytes.
    private const int DefaultMaxMessageBytes = 1_000_000;

    // Room left for the record batch and record framing librdkafka adds to key, value and headers.
    private const int FramingBytes = 1024;

    /// <summary>The dead-letter flow; the stage owns a producer built from <paramref name="settings"/>.</summary>
    /// <param name="settings">Producer settings, typically <c>pipeline.kafka.producer</c> with its own <c>client.id</c>.</param>
    /// <param name="deadLetterTopic">The dead-letter topic (<c>pipeline.topics.dlq</c>).</param>
    /// <param name="metrics">Where dead letters are counted.</param>
    /// <exception cref="KafkaConfigurationException">The producer settings are invalid.</exception>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(
        ProducerSettings<byte[]?, byte[]> settings, string deadLetterTopic, DataQualityMetrics metrics) =>
        Create(settings, deadLetterTopic, metrics, KafkaProducer.FlexiFlow<byte[]?, byte[], PipelineElement>(settings));

    /// <summary>The dead-letter flow writing through <paramref name="sharedProducer"/>, which its owner flushes and disposes.</summary>
    /// <exception cref="KafkaConfigurationException">The producer settings are invalid.</exception>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(
        ProducerSettings<byte[]?, byte[]> settings, IProducer<byte[]?, byte[]> sharedProducer, string deadLetterTopic, DataQualityMetrics metrics) =>
        Create(settings, deadLetterTopic, metrics, KafkaProducer.FlexiFlow<byte[]?, byte[], PipelineElement>(settings, sharedProducer));

    /// <summary>
    /// The batch form for the graph's ingest path (<see cref="IngestFlow"/>): every array is one producer envelope
    /// holding the dead-letter records of its quarantined elements (none: a pass-through), so a batch costs one
    /// envelope instead of one per element. The array is emitted unchanged once its records are acknowledged.
    /// Emits, backpressures, completes, fails and cancels as <see cref="Create(ProducerSettings{byte[], byte[]}, string, DataQualityMetrics)"/>.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The producer settings are invalid.</exception>
    public static Flow<PipelineElement[], PipelineElement[], NotUsed> CreateBatches(
        ProducerSettings<byte[]?, byte[]> settings, string deadLetterTopic, DataQualityMetrics metrics)
    {
        ArgumentException.ThrowIfNullOrEmpty(deadLetterTopic);
        ArgumentNullException.ThrowIfNull(metrics);
        var maxMessageBytes = MaxMessageBytes(settings);
        return Flow.Create<PipelineElement[]>()
            .Select(batch =>
            {
                List<ProducerRecord<byte[]?, byte[]>>? records = null;
                foreach (var element in batch)
                {
                    if (element is QuarantinedRecord quarantined) (records ??= []).Add(ToRecord(quarantined, deadLetterTopic, maxMessageBytes));
                }

                return records is null
                    ? ProducerMessage.PassThrough<byte[]?, byte[], PipelineElement[]>(batch)
                    : ProducerMessage.Multi(records, batch);
            })
            .Via(KafkaProducer.FlexiFlow<byte[]?, byte[], PipelineElement[]>(settings))
            .Select(result =>
            {
                if (result is MultiResult<byte[]?, byte[], PipelineElement[]> written)
                {
                    var part = 0;
                    foreach (var element in written.PassThrough)
                    {
                        if (element is not QuarantinedRecord q) continue;
                        metrics.RecordDeadLetter(q.Entry.Stage, q.Entry.Reason, written.Parts[part++].Record.Headers!.TryGetLastBytes(TruncatedFromHeader, out _));
                    }
                }

                return result.PassThrough;
            })
            .Named("dead-letter");
    }

    /// <summary>
    /// The dead-letter record of <paramref name="quarantined"/>: original key and value (cut to fit
    /// <paramref name="maxMessageBytes"/>) and the headers listed on <see cref="DeadLetterFlow"/>.
    /// </summary>
    public static ProducerRecord<byte[]?, byte[]> ToRecord(QuarantinedRecord quarantined, string deadLetterTopic, int maxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(quarantined);
        ArgumentException.ThrowIfNullOrEmpty(deadLetterTopic);
        var entry = quarantined.Entry;
        var headers = new Headers
        {
            { ReasonHeader, Utf8(entry.Reason) },
            { StageHeader, Utf8(entry.Stage) },
            { DetailHeader, Utf8(entry.Detail) },
            { SourceTopicHeader, Utf8(entry.Topic) },
            { SourcePartitionHeader, Utf8(entry.Partition.ToString(CultureInfo.InvariantCulture)) },
            { SourceOffsetHeader, Utf8(entry.Offset.ToString(CultureInfo.InvariantCulture)) },
            { ReceivedAtHeader, Utf8(entry.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)) },
        };
        if (quarantined.Redacted) headers.Add(RedactedHeader, Utf8("true"));

        var key = quarantined.Key;
        var room = maxMessageBytes - FramingBytes - (key?.Length ?? 0) - headers.Sum(h => h.Key.Length + h.GetValueBytes().Length + 16);
        var raw = entry.Raw;
        if (raw.Length > room)
        {
            headers.Add(TruncatedFromHeader, Utf8(raw.Length.ToString(CultureInfo.InvariantCulture)));
            raw = raw[..Math.Max(0, room - TruncatedFromHeader.Length - 32)];
        }

        return new ProducerRecord<byte[]?, byte[]>(deadLetterTopic, key, raw.ToArray())
        {
            Headers = headers,
            Timestamp = entry.ReceivedAt,
        };
    }

    private static Flow<PipelineElement, PipelineElement, NotUsed> Create(
        ProducerSettings<byte[]?, byte[]> settings,
        string deadLetterTopic,
        DataQualityMetrics metrics,
        Flow<IEnvelope<byte[]?, byte[], PipelineElement>, IResults<byte[]?, byte[], PipelineElement>, NotUsed> producer)
    {
        ArgumentException.ThrowIfNullOrEmpty(deadLetterTopic);
        ArgumentNullException.ThrowIfNull(metrics);
        var maxMessageBytes = MaxMessageBytes(settings);
        return Flow.Create<PipelineElement>()
            .Select(element => element is QuarantinedRecord quarantined
                ? ProducerMessage.Single(ToRecord(quarantined, deadLetterTopic, maxMessageBytes), element)
                : ProducerMessage.PassThrough<byte[]?, byte[], PipelineElement>(element))
            .Via(producer)
            .Select(result =>
            {
                if (result is Result<byte[]?, byte[], PipelineElement> { PassThrough: QuarantinedRecord q } written)
                {
                    metrics.RecordDeadLetter(q.Entry.Stage, q.Entry.Reason, written.Record.Headers!.TryGetLastBytes(TruncatedFromHeader, out _));
                }

                return result.PassThrough;
            })
            .Named("dead-letter");
    }

    private static int MaxMessageBytes(ProducerSettings<byte[]?, byte[]> settings) =>
        settings.Properties.TryGetValue("message.max.bytes", out var text)
        && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : DefaultMaxMessageBytes;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
