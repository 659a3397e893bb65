namespace Pipeline.Host.Inspector;

/// <summary>One command of a palette (<c>actor hierarchy</c>): its name, help and switches.</summary>
/// <param name="Name">The command word typed after the palette name.</param>
/// <param name="Description">One line of help.</param>
/// <param name="Arguments">The switches it accepts; any other switch is refused.</param>
/// <param name="Streaming">True when the command keeps replying until the client cancels (<c>log tail</c>).</param>
public sealed record InspectorCommand(string Name, string Description, IReadOnlyList<InspectorArgument> Arguments, bool Streaming = false);
