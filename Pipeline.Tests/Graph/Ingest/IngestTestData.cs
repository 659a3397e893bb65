using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Pipeline.Models.Domain;
using Pipeline.Tests.Models.Domain;

namespace Pipeline.Tests.Graph.Ingest;

/// <summary>Pipeline elements with real offsets of a consumer that never commits, for stage tests without Kafka.</summary>
internal static class IngestTestData
{
    public const string Topic = "transactions";
    public static readonly DateTimeOffset ReceivedAt = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IdleConsumer Consumer = new();

    public static CommittableOffset Offset(int partition, long offset) =>
        new(Consumer, new TopicPartition(Topic, new Partition(partition)), offset, epoch: 1);

    public static string Id(int i) => $"00000000-0000-4000-8000-{i:D12}";

    public static AcceptedTransaction Accepted(int partition, long offset, string transactionId) =>
        new(Offset(partition, offset), ReceivedAt, DecoderTestData.Expected with { TransactionId = transactionId });

    public static QuarantinedRecord Quarantined(int partition, long offset, byte[] raw) =>
        new(Offset(partition, offset), ReceivedAt, new QuarantineEntry(ReceivedAt, Topic, partition, offset, "rule", "amount_not_positive", "amount must be positive", raw))
        {
            Key = "acct-000042"u8.ToArray(),
        };

    private sealed class IdleConsumer : IConsumerHost
    {
        public string GroupId => "ingest-tests";

        public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger) => Task.CompletedTask;
    }
}
