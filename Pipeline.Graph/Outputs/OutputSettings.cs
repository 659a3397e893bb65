using Akka.Configuration;
using Confluent.Kafka;
using Config = Akka.Configuration.Config;
using Pipeline.Graph.Configuration;
using Pipeline.Graph.Kafka;

namespace Pipeline.Graph.Outputs;

/// <summary>
/// Settings of the Kafka outputs of scored transactions and drift events (DESIGN §3.3), read from
/// <c>pipeline.outputs</c>, the topic names from <c>pipeline.topics.scored</c> and
/// <c>pipeline.topics.drift</c>, and the producers from <c>pipeline.kafka.producer</c> (client ids
/// <c>pipeline-scored</c> and <c>pipeline-drift</c>). Every value comes from configuration; defaults
/// live only in <c>hocon/reference.conf</c>. Immutable: derive variants with <c>with</c> or
/// <see cref="WithBootstrapServers"/>.
/// </summary>
public sealed record OutputSettings
{
    /// <summary>The configuration section of the switches.</summary>
    public const string Section = "pipeline.outputs";

    /// <summary>Produce every scored transaction (<c>scored.enabled</c>).</summary>
    public required bool ScoredEnabled { get; init; }

    /// <summary><c>pipeline.topics.scored</c>.</summary>
    public required string ScoredTopic { get; init; }

    /// <summary>The producer of the scored topic.</summary>
    public required ProducerSettings<string, string> ScoredProducer { get; init; }

    /// <summary>Produce every drift event (<c>drift.enabled</c>).</summary>
    public required bool DriftEnabled { get; init; }

    /// <summary><c>pipeline.topics.drift</c>.</summary>
    public required string DriftTopic { get; init; }

    /// <summary>The producer of the drift topic.</summary>
    public required ProducerSettings<string, string> DriftProducer { get; init; }

    /// <summary>Drift events waiting for the producer before the oldest is dropped (<c>drift.buffer-size</c>).</summary>
    public required int DriftBufferSize { get; init; }

    /// <summary>First restart delay of the drift producer after a failure (<c>drift.restart.min-backoff</c>).</summary>
    public required TimeSpan DriftRestartMinBackoff { get; init; }

    /// <summary>Cap of the drift producer's restart delay (<c>drift.restart.max-backoff</c>).</summary>
    public required TimeSpan DriftRestartMaxBackoff { get; init; }

    /// <summary>Jitter of the restart delay as a fraction (<c>drift.restart.random-factor</c>).</summary>
    public required double DriftRestartRandomFactor { get; init; }

    /// <summary>A copy whose producers use <paramref name="bootstrapServers"/> (the embedded broker).</summary>
    public OutputSettings WithBootstrapServers(string bootstrapServers) => this with
    {
        ScoredProducer = ScoredProducer.WithBootstrapServers(bootstrapServers),
        DriftProducer = DriftProducer.WithBootstrapServers(bootstrapServers),
    };

    /// <summary>Reads the settings from <paramref name="config"/> (the whole configuration).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static OutputSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var pipeline = ConfigReader.Block(config, "pipeline");
        var outputs = ConfigReader.Block(pipeline, "outputs");
        var producer = ConfigReader.Block(pipeline, "kafka.producer");
        var min = ConfigReader.Duration(outputs, "drift.restart.min-backoff", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        return new OutputSettings
        {
            ScoredEnabled = ConfigReader.Bool(outputs, "scored.enabled"),
            ScoredTopic = ConfigReader.String(pipeline, "topics.scored", allowEmpty: false),
            ScoredProducer = ProducerSettings<string, string>.Create(producer, Serializers.Utf8, Serializers.Utf8).WithClientId("pipeline-scored"),
            DriftEnabled = ConfigReader.Bool(outputs, "drift.enabled"),
            DriftTopic = ConfigReader.String(pipeline, "topics.drift", allowEmpty: false),
            DriftProducer = ProducerSettings<string, string>.Create(producer, Serializers.Utf8, Serializers.Utf8).WithClientId("pipeline-drift"),
            DriftBufferSize = ConfigReader.Int(outputs, "drift.buffer-size", 1, 1_000_000),
            DriftRestartMinBackoff = min,
            DriftRestartMaxBackoff = ConfigReader.Duration(outputs, "drift.restart.max-backoff", min, TimeSpan.FromHours(1)),
            DriftRestartRandomFactor = ConfigReader.Double(outputs, "drift.restart.random-factor", 0, 1),
        };
    }
}
