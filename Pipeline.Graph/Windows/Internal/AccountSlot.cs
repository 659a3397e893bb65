using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows.Internal;

/// <summary>The stage's bookkeeping for one account in memory.</summary>
internal sealed class AccountSlot(string id)
{
    public string Id { get; } = id;

    /// <summary>Null only until the first load completes.</summary>
    public AccountState? State { get; set; }

    /// <summary>Partition and assignment epoch of the last record routed to the account; a change means the partition was (re)assigned.</summary>
    public TopicPartition? Partition { get; set; }

    public int Epoch { get; set; }

    /// <summary>Records applied to <see cref="State"/> since it entered memory.</summary>
    public long Applied { get; set; }

    /// <summary>The highest <see cref="Applied"/> the store holds.</summary>
    public long Durable { get; set; }

    /// <summary>Changed since its last checkpoint was taken; the account is in the stage's dirty queue.</summary>
    public bool Dirty { get; set; }

    /// <summary>A load is queued or in flight; records wait in <see cref="Waiting"/>.</summary>
    public bool Loading { get; set; }

    /// <summary>Sweep number at the last record, for idle eviction.</summary>
    public long LastSweep { get; set; }

    public Queue<(AcceptedTransaction Transaction, long Sequence)>? Waiting { get; set; }
}
