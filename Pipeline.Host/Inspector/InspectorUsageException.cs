namespace Pipeline.Host.Inspector;

/// <summary>A command was called with a bad switch value; the inspector turns it into an error reply with this message.</summary>
public sealed class InspectorUsageException(string message) : Exception(message);
