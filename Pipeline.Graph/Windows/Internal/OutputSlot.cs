using Pipeline.Graph.Ingest;

namespace Pipeline.Graph.Windows.Internal;

/// <summary>
/// One input element's place in the stage's <see cref="OutputQueue"/>. It may leave once it has its
/// element and, for a transaction that changed its account, once that change is in the store.
/// A struct in a ring, so holding an element costs no allocation of its own.
/// </summary>
internal struct OutputSlot
{
    /// <summary>Null while the transaction waits for its account's load.</summary>
    public PipelineElement? Element;

    /// <summary>The account the element changed or read, or null for pass-through elements.</summary>
    public AccountSlot? Account;

    /// <summary>The account's <see cref="AccountSlot.Applied"/> count after this element.</summary>
    public long Version;

    /// <summary>True while the element exists but its account's change is not yet in the store.</summary>
    public readonly bool WaitsForCheckpoint => Element is not null && Account is not null && Account.Durable < Version;
}
