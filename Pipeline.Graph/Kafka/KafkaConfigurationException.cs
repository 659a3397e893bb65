namespace Pipeline.Graph.Kafka;

/// <summary>
/// A Kafka setting that cannot work: an unknown librdkafka key, an invalid value, a duration with
/// units. The message names the HOCON path and never contains a secret value; the host prints it
/// as one line and exits non-zero.
/// </summary>
public sealed class KafkaConfigurationException(string message) : Exception(message);
