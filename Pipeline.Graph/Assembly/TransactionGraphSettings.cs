using Akka.Configuration;
using Confluent.Kafka;
using Config = Akka.Configuration.Config;
using Pipeline.Graph.Configuration;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Sinks;
using Pipeline.Graph.Windows;

namespace Pipeline.Graph.Assembly;

/// <summary>Every setting of the graph, read from the <c>pipeline</c> block.</summary>
public sealed record TransactionGraphSettings
{
    /// <summary>The consumer of the transactions topic (<c>pipeline.kafka.consumer</c>).</summary>
    public required ConsumerSettings<string, byte[]> Consumer { get; init; }

    /// <summary>Offset commit batching (<c>pipeline.kafka.committer</c>).</summary>
    public required CommitterSettings Committer { get; init; }

    /// <summary>Decode limits (<c>pipeline.ingest</c>).</summary>
    public required IngestSettings Ingest { get; init; }

    /// <summary>Duplicate detection by transaction id (<c>pipeline.dedupe</c>).</summary>
    public required DedupeSettings Dedupe { get; init; }

    /// <summary>PII tokenisation key (<c>pipeline.pii</c>).</summary>
    public required PiiSettings Pii { get; init; }

    /// <summary>The dead-letter topic (<c>pipeline.topics.dlq</c>).</summary>
    public required string DeadLetterTopic { get; init; }

    /// <summary>The producer of the dead-letter topic (<c>pipeline.kafka.producer</c>, client id pipeline-dlq).</summary>
    public required ProducerSettings<byte[]?, byte[]> DeadLetterProducer { get; init; }

    /// <summary>Alert decisions, outbox and channels (<c>pipeline.alerting</c>).</summary>
    public required AlertingSettings Alerting { get; init; }

    /// <summary>The alerts topic (<c>pipeline.topics.alerts</c>).</summary>
    public required string AlertsTopic { get; init; }

    /// <summary>The producer of the alerts topic (<c>pipeline.kafka.producer</c>, client id pipeline-alerts).</summary>
    public required ProducerSettings<string, string> AlertProducer { get; init; }

    /// <summary>Account windows and the feature store (<c>pipeline.windows</c>).</summary>
    public required WindowSettings Windows { get; init; }

    /// <summary>The model, rules and threshold (<c>pipeline.scoring</c>).</summary>
    public required ScoringSettings Scoring { get; init; }

    /// <summary>Store batching and retries (<c>pipeline.store</c>).</summary>
    public required StoreSettings Store { get; init; }

    /// <summary><c>pipeline.topics.transactions</c>.</summary>
    public required string TransactionsTopic { get; init; }

    /// <summary>A copy whose consumer and producers all use <paramref name="bootstrapServers"/> (the embedded broker).</summary>
    public TransactionGraphSettings WithBootstrapServers(string bootstrapServers) => this with
    {
        Consumer = Consumer.WithBootstrapServers(bootstrapServers),
        DeadLetterProducer = DeadLetterProducer.WithBootstrapServers(bootstrapServers),
        AlertProducer = AlertProducer.WithBootstrapServers(bootstrapServers),
    };

    /// <summary>Reads the <c>pipeline</c> block of <paramref name="root"/> (the whole configuration).</summary>
    public static TransactionGraphSettings Create(Config root)
    {
        var pipeline = ConfigReader.Block(root, "pipeline");
        return Create(root, pipeline);
    }

    private static TransactionGraphSettings Create(Config root, Config pipeline) => new()
    {
        Alerting = AlertingSettings.Create(ConfigReader.Block(pipeline, "alerting")),
        AlertsTopic = ConfigReader.String(pipeline, "topics.alerts", allowEmpty: false),
        AlertProducer = ProducerSettings<string, string>.Create(ConfigReader.Block(pipeline, "kafka.producer"), Serializers.Utf8, Serializers.Utf8)
            .WithClientId("pipeline-alerts"),
        Dedupe = DedupeSettings.Create(ConfigReader.Block(pipeline, "dedupe")),
        Pii = PiiSettings.Create(ConfigReader.Block(pipeline, "pii"), embedded: ConfigReader.OneOf(pipeline, "mode", "embedded", "external") == "embedded"),
        DeadLetterTopic = ConfigReader.String(pipeline, "topics.dlq", allowEmpty: false),
        // The dead-letter topic must take every record the source topic took, however large.
        DeadLetterProducer = ProducerSettings<byte[]?, byte[]>.Create(ConfigReader.Block(pipeline, "kafka.producer"), null, null)
            .WithClientId("pipeline-dlq")
            .WithProperty("message.max.bytes", "16777216"),
        Windows = WindowSettings.Create(ConfigReader.Block(pipeline, "windows")),
        Scoring = ScoringSettings.Create(root),
        Consumer = TransactionConsumer(ConsumerSettings<string, byte[]>.Create(ConfigReader.Block(pipeline, "kafka.consumer"), Deserializers.Utf8, Deserializers.ByteArray)),
        Committer = CommitterSettings.Create(ConfigReader.Block(pipeline, "kafka.committer")),
        Ingest = IngestSettings.Create(ConfigReader.Block(pipeline, "ingest")),
        Store = StoreSettings.Create(ConfigReader.Block(pipeline, "store")),
        TransactionsTopic = ConfigReader.String(pipeline, "topics.transactions", allowEmpty: false),
    };

    // Confluent.Kafka's own consumer option: which parts of a record it copies into managed objects. The graph
    // reads the topic, partition, offset, key and value, never the headers or the broker timestamp, and
    // copying the headers cost two objects per record even when a record has none. A value the user set
    // in kafka-clients wins.
    private const string ConsumeResultFields = "dotnet.consumer.consume.result.fields";

    private static ConsumerSettings<string, byte[]> TransactionConsumer(ConsumerSettings<string, byte[]> settings) =>
        settings.Properties.TryGetValue(ConsumeResultFields, out _) ? settings : settings.WithProperty(ConsumeResultFields, "topic");
}
