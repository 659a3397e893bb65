using System.Text;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Models.Domain;
using Pipeline.Models.Privacy;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Decode and validate: turns each Kafka record into an <see cref="AcceptedTransaction"/> or a
/// <see cref="QuarantinedRecord"/> carrying the reason and the stage that rejected it.
/// <para>
/// Emits one element per input, in order; backpressures when downstream does; completes when
/// upstream completes; never fails on bad input (the decoder never throws); cancels upstream when
/// downstream cancels. Materialized value: <see cref="NotUsed"/>. Reads <c>pipeline.ingest</c>
/// through <see cref="IngestSettings"/>.
/// </para>
/// <para>
/// With <c>decode-parallelism</c> above 1, records that queue up while decoding lags are taken
/// in batches of up to <c>decode-batch</c> and decoded on the thread pool, several batches at once;
/// results are emitted in input order. When the pipeline keeps up, batches hold one record.
/// </para>
/// </summary>
public static class DecodeFlow
{
    /// <summary>The decode-and-validate flow.</summary>
    public static Flow<CommittableMessage<string, byte[]>, PipelineElement, NotUsed> Create(IngestSettings settings, TimeProvider clock, PipelineMetrics metrics)
    {
        var limits = settings.ToDecoderLimits(clock);
        if (settings.DecodeParallelism == 1)
        {
            return Flow.Create<CommittableMessage<string, byte[]>>()
                .Select(message => Decode(message, limits, clock, metrics))
                .Named("decode-validate");
        }

        // The same batches decoded in parallel as the graph's ingest path, one element at a time again.
        return CreateBatches(settings, clock, metrics)
            .SelectMany(decoded => decoded)
            .Named("decode-validate");
    }

    /// <summary>
    /// The batch form of the decode flow for the graph's ingest path (<see cref="IngestFlow"/>): records that
    /// queue up while decoding lags are taken in batches of up to <c>decode-batch</c> and each batch is emitted as
    /// one array, in input order. With <paramref name="protector"/>, accepted transactions also get their PII
    /// tokenised by the decoder itself (<see cref="TransactionDecoder.Decode(ReadOnlySpan{byte}, DecoderLimits, PiiProtector)"/>, no copy in clear), so the work runs in parallel
    /// rather than on the stream's single thread (they are counted later, by the protection stage after dedupe);
    /// quarantined records are left alone (the dead-letter topic needs
    /// their original bytes, <see cref="ProtectPiiFlow"/> masks them later).
    /// <para>
    /// Emits one array per batch, every input exactly once and in order; backpressures when downstream does;
    /// completes when upstream completes and the last batch is decoded; never fails on bad input; cancels
    /// upstream when downstream cancels. Materialized value: <see cref="NotUsed"/>.
    /// </para>
    /// </summary>
    public static Flow<CommittableMessage<string, byte[]>, PipelineElement[], NotUsed> CreateBatches(
        IngestSettings settings, TimeProvider clock, PipelineMetrics metrics, PiiProtector? protector = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(metrics);
        var limits = settings.ToDecoderLimits(clock);
        var batched = Flow.Create<CommittableMessage<string, byte[]>>()
            .Batch(
                settings.DecodeBatch,
                first => new List<CommittableMessage<string, byte[]>>(Math.Min(settings.DecodeBatch, 64)) { first },
                (batch, next) =>
                {
                    batch.Add(next);
                    return batch;
                });
        var decoded = settings.DecodeParallelism == 1
            ? batched.Select(batch => DecodeBatch(batch, limits, clock, metrics, protector))
            : batched.SelectAsync(settings.DecodeParallelism, batch => Task.Run(() => DecodeBatch(batch, limits, clock, metrics, protector)));
        return decoded.Named("decode-validate");
    }

    private static PipelineElement[] DecodeBatch(
        List<CommittableMessage<string, byte[]>> batch, DecoderLimits limits, TimeProvider clock, PipelineMetrics metrics, PiiProtector? protector)
    {
        // Counters are shared by the decoding threads: one update per batch rather than per record. Tokenised
        // values are counted after dedupe (ProtectPiiFlow), as the per-element chain counts them: duplicates do not count.
        var decoded = new PipelineElement[batch.Count];
        var accepted = 0;
        // The batch's records were all received when its decoding starts: one clock read serves as their
        // receive time and as the decoder's "now".
        var receivedAt = clock.GetUtcNow();
        for (var i = 0; i < decoded.Length; i++)
        {
            var element = Decode(batch[i], limits, receivedAt, metrics, countAccepted: false, protector);
            if (element is AcceptedTransaction) accepted++;
            decoded[i] = element;
        }

        if (accepted > 0) metrics.RecordAccepted(accepted);
        return decoded;
    }

    /// <summary>Decodes one record; public for the replay and re-drive tools.</summary>
    public static PipelineElement Decode(CommittableMessage<string, byte[]> message, DecoderLimits limits, TimeProvider clock, PipelineMetrics metrics) =>
        Decode(message, limits, clock.GetUtcNow(), metrics, countAccepted: true, protector: null);

    // With a protector the decoder writes tokens straight into the transaction: no copy in clear to replace.
    private static PipelineElement Decode(
        CommittableMessage<string, byte[]> message, DecoderLimits limits, DateTimeOffset receivedAt, PipelineMetrics metrics, bool countAccepted, PiiProtector? protector)
    {
        var record = message.Record;
        var value = record.Message.Value ?? [];
        var result = TransactionDecoder.Decode(value, limits, protector, receivedAt);
        if (result.IsValid)
        {
            if (countAccepted) metrics.RecordAccepted();
            return new AcceptedTransaction(message.CommittableOffset, receivedAt, result.Value!) { PiiProtected = protector is not null };
        }

        var rejection = result.Rejection!;
        var stage = rejection.Stage.ToString().ToLowerInvariant();
        metrics.RecordQuarantined(stage, rejection.Reason);
        var entry = new QuarantineEntry(
            receivedAt,
            record.Topic,
            record.Partition.Value,
            record.Offset.Value,
            stage,
            rejection.Reason,
            rejection.Detail,
            value);
        return new QuarantinedRecord(message.CommittableOffset, receivedAt, entry)
        {
            Key = record.Message.Key is { } key ? Encoding.UTF8.GetBytes(key) : null,
        };
    }
}
