using Akka.Configuration;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Immutable settings of <see cref="Committer"/>, read from the <c>pipeline.kafka.committer</c>
/// block of <c>hocon/reference.conf</c>. Each <c>With…</c> method returns a copy;
/// <see cref="Validate"/> names the HOCON key, the value and the allowed range.
/// </summary>
public sealed class CommitterSettings
{
    /// <summary>The HOCON path of the block <see cref="Create"/> expects by default.</summary>
    public const string DefaultPath = "pipeline.kafka.committer";

    private CommitterSettings(string origin, int maxBatch, TimeSpan maxInterval, int parallelism, CommitDelivery delivery)
    {
        Origin = origin;
        MaxBatch = maxBatch;
        MaxInterval = maxInterval;
        Parallelism = parallelism;
        Delivery = delivery;
    }

    /// <summary>The HOCON path the settings were read from, used in error messages.</summary>
    public string Origin { get; }

    /// <summary><c>max-batch</c>: offsets aggregated before a batch is sent to the consumer.</summary>
    public int MaxBatch { get; }

    /// <summary><c>max-interval</c>: the longest an offset waits in the committer before its batch is sent.</summary>
    public TimeSpan MaxInterval { get; }

    /// <summary><c>parallelism</c>: batches in flight to the consumers at once.</summary>
    public int Parallelism { get; }

    /// <summary><c>delivery</c>: whether a batch waits for the consumer's confirmation.</summary>
    public CommitDelivery Delivery { get; }

    /// <summary>Reads the settings from <paramref name="committerBlock"/> (normally <c>pipeline.kafka.committer</c>); every key must be present.</summary>
    /// <exception cref="KafkaConfigurationException">A key is missing or malformed.</exception>
    public static CommitterSettings Create(Config committerBlock, string origin = DefaultPath)
    {
        KafkaHoconReader.RequireBlock(committerBlock, origin);
        var deliveryText = KafkaHoconReader.String(committerBlock, origin, "delivery");
        var delivery = deliveryText switch
        {
            "wait-for-ack" => CommitDelivery.WaitForAck,
            "send-and-forget" => CommitDelivery.SendAndForget,
            _ => throw new KafkaConfigurationException($"{origin}.delivery = '{deliveryText}' is not one of: wait-for-ack, send-and-forget"),
        };
        return new CommitterSettings(
            origin,
            KafkaHoconReader.Int(committerBlock, origin, "max-batch"),
            KafkaHoconReader.Duration(committerBlock, origin, "max-interval"),
            KafkaHoconReader.Int(committerBlock, origin, "parallelism"),
            delivery);
    }

    /// <summary>Sets <c>max-batch</c>.</summary>
    public CommitterSettings WithMaxBatch(int maxBatch) => new(Origin, maxBatch, MaxInterval, Parallelism, Delivery);

    /// <summary>Sets <c>max-interval</c>.</summary>
    public CommitterSettings WithMaxInterval(TimeSpan maxInterval) => new(Origin, MaxBatch, maxInterval, Parallelism, Delivery);

    /// <summary>Sets <c>parallelism</c>.</summary>
    public CommitterSettings WithParallelism(int parallelism) => new(Origin, MaxBatch, MaxInterval, parallelism, Delivery);

    /// <summary>Sets <c>delivery</c>.</summary>
    public CommitterSettings WithDelivery(CommitDelivery delivery) => new(Origin, MaxBatch, MaxInterval, Parallelism, delivery);

    /// <summary>Checks every setting; the committer factories call it.</summary>
    /// <exception cref="KafkaConfigurationException">The first bad setting, naming its HOCON key, value and allowed range.</exception>
    public void Validate()
    {
        KafkaHoconReader.CheckRange(Origin, "max-batch", MaxBatch, 1, 1_000_000);
        KafkaHoconReader.CheckRange(Origin, "max-interval", MaxInterval, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        KafkaHoconReader.CheckRange(Origin, "parallelism", Parallelism, 1, 1000);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"CommitterSettings(max-batch={MaxBatch}, max-interval={KafkaHoconReader.Show(MaxInterval)}, parallelism={Parallelism}, delivery={Delivery})";
}
