namespace Pipeline.Host.Hosting;

/// <summary>No Kafka broker answered at startup; the message names the bootstrap servers.</summary>
public sealed class BrokerUnreachableException(string message) : Exception(message);
