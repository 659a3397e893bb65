namespace Pipeline.Host.Cli;

/// <summary>A usage error: the message is printed as one line and the process exits with code 2.</summary>
public sealed class CommandLineException(string message) : Exception(message);
