using Akka;
using Akka.Streams.Dsl;
using Pipeline.Graph.Kafka;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Drift;

/// <summary>
/// The delayed ground truth of the <c>transaction-labels</c> topic (DESIGN §3.2): each record is
/// decoded and handed to a callback (DDM on decision errors, shadow evaluation of a
/// candidate); a record that is not a valid label is counted and skipped. Every offset passes
/// through for commit.
/// <para>
/// Emits one offset per record, in order; backpressures when downstream does; never fails on bad
/// input; completes when upstream completes. Materialized value: <see cref="NotUsed"/>.
/// </para>
/// </summary>
public static class LabelsFlow
{
    /// <summary>The labels flow.</summary>
    /// <param name="onLabel">Called on the stream's thread for every valid label; must not block.</param>
    /// <param name="onInvalid">Called with the rejection reason of every invalid record.</param>
    public static Flow<CommittableMessage<string, byte[]>, ICommittable, NotUsed> Create(Action<TransactionLabel> onLabel, Action<string> onInvalid)
    {
        var limits = new DecoderLimits();
        return Flow.Create<CommittableMessage<string, byte[]>>()
            .Select(ICommittable (message) =>
            {
                var decoded = TransactionLabelDecoder.Decode(message.Record.Message.Value ?? [], limits);
                if (decoded.IsValid) onLabel(decoded.Value!);
                else onInvalid(decoded.Rejection!.Reason);
                return message.CommittableOffset;
            })
            .Named("labels");
    }
}
