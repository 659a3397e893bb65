using System.Text;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Assembly;
using Pipeline.Models.Domain;

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

        return Flow.Create<CommittableMessage<string, byte[]>>()
            .Batch(
                settings.DecodeBatch,
                first => new List<CommittableMessage<string, byte[]>>(Math.Min(settings.DecodeBatch, 64)) { first },
                (batch, next) =>
                {
                    batch.Add(next);
                    return batch;
                })
            .SelectAsync(settings.DecodeParallelism, batch => Task.Run(() =>
            {
                var decoded = new PipelineElement[batch.Count];
                for (var i = 0; i < decoded.Length; i++) decoded[i] = Decode(batch[i], limits, clock, metrics);
                return decoded;
            }))
            .SelectMany(decoded => decoded)
            .Named("decode-validate");
    }

    /// <summary>Decodes one record; public for the replay and re-drive tools.</summary>
    public static PipelineElement Decode(CommittableMessage<string, byte[]> message, DecoderLimits limits, TimeProvider clock, PipelineMetrics metrics)
    {
        var receivedAt = clock.GetUtcNow();
        var record = message.Record;
        var value = record.Message.Value ?? [];
        var result = TransactionDecoder.Decode(value, limits);
        if (result.IsValid)
        {
            metrics.RecordAccepted();
            return new AcceptedTransaction(message.CommittableOffset, receivedAt, result.Value!);
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
