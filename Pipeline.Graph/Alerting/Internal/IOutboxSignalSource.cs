namespace Pipeline.Graph.Alerting.Internal;

/// <summary>An alert store that raises <see cref="OutboxSignal"/> after each write that added alerts.</summary>
internal interface IOutboxSignalSource
{
    /// <summary>Raised after a committed write that inserted at least one new alert.</summary>
    OutboxSignal OutboxWritten { get; }
}
