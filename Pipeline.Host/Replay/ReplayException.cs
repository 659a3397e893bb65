namespace Pipeline.Host.Replay;

/// <summary>
/// A replay or re-drive cannot run as asked (a missing input file, a result set that already holds
/// rows, a topic that does not exist): the message is printed as one line and the verb exits with code 1.
/// </summary>
public sealed class ReplayException(string message, Exception? inner = null) : Exception(message, inner);
