namespace Pipeline.Host.Inspector;

/// <summary>
/// A group of inspector commands (<c>actor</c>, <c>log</c>, <c>kafka</c>, …). Register an
/// implementation as a singleton <see cref="IInspectorPalette"/> and the inspector serves it and
/// lists it in <c>help</c>; the palette name must be unique.
/// </summary>
public interface IInspectorPalette
{
    /// <summary>The first word of every command of the palette.</summary>
    string Name { get; }

    /// <summary>One line of help.</summary>
    string Description { get; }

    /// <summary>The commands, each with its switches.</summary>
    IReadOnlyList<InspectorCommand> Commands { get; }

    /// <summary>
    /// Runs one command whose switches were already checked against its definition. Yields one reply,
    /// or — for streaming commands — replies until <paramref name="ct"/> is cancelled (client
    /// disconnect or a new request). Commands that change state must refuse to run without
    /// <c>--confirm</c>.
    /// </summary>
    IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, CancellationToken ct);
}
