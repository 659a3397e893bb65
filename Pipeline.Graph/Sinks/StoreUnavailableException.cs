namespace Pipeline.Graph.Sinks;

/// <summary>The store cannot be opened or initialised; the message says where and why, in one line.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
