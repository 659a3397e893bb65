using Akka.Configuration;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Configuration;

namespace Pipeline.Host.Hosting;

/// <summary>Host-level settings of the <c>run</c> verb, read from the <c>pipeline</c> block.</summary>
public sealed record RunOptions
{
    /// <summary>The whole configuration, for the actor system and later stages.</summary>
    public required Config Config { get; init; }

    /// <summary><c>pipeline.mode</c>: embedded or external.</summary>
    public required bool Embedded { get; init; }

    /// <summary>The graph's settings.</summary>
    public required TransactionGraphSettings Graph { get; init; }

    /// <summary><c>pipeline.http.url</c>.</summary>
    public required string HttpUrl { get; init; }

    /// <summary><c>pipeline.progress-interval</c>.</summary>
    public required TimeSpan ProgressInterval { get; init; }

    /// <summary><c>pipeline.shutdown.drain-timeout</c>.</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary><c>pipeline.embedded.brokers</c>.</summary>
    public required int EmbeddedBrokers { get; init; }

    /// <summary><c>pipeline.embedded.partitions</c>.</summary>
    public required int EmbeddedPartitions { get; init; }

    /// <summary><c>pipeline.embedded.fetch-wait</c>: the consumers' longest fetch wait against the in-process mock broker.</summary>
    public required TimeSpan EmbeddedFetchWait { get; init; }

    /// <summary><c>pipeline.embedded.producer.*</c>.</summary>
    public required EmbeddedProducerOptions Producer { get; init; }

    /// <summary><c>pipeline.topics.labels</c>.</summary>
    public required string LabelsTopic { get; init; }

    /// <summary>
    /// The graph's settings on <paramref name="bootstrapServers"/>. Against librdkafka's mock broker
    /// (<paramref name="mockBroker"/>) the consumer waits at most <see cref="EmbeddedFetchWait"/> per fetch: that
    /// broker holds a fetch which found nothing new for its whole wait, even when records arrive meanwhile.
    /// </summary>
    public TransactionGraphSettings GraphOn(string bootstrapServers, bool mockBroker)
    {
        var graph = Graph.WithBootstrapServers(bootstrapServers);
        if (!mockBroker) return graph;
        var wait = ((long)Math.Ceiling(EmbeddedFetchWait.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return graph with { Consumer = graph.Consumer.WithProperty("fetch.wait.max.ms", wait) };
    }

    /// <summary>Reads the options from a loaded configuration.</summary>
    public static RunOptions Create(Config config)
    {
        var pipeline = ConfigReader.Block(config, "pipeline");
        return new RunOptions
        {
            Config = config,
            Embedded = ConfigReader.OneOf(pipeline, "mode", "embedded", "external") == "embedded",
            Graph = TransactionGraphSettings.Create(config),
            HttpUrl = ConfigReader.String(pipeline, "http.url", allowEmpty: false),
            ProgressInterval = ConfigReader.Duration(pipeline, "progress-interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            DrainTimeout = ConfigReader.Duration(pipeline, "shutdown.drain-timeout", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            EmbeddedBrokers = ConfigReader.Int(pipeline, "embedded.brokers", 1, 16),
            EmbeddedPartitions = ConfigReader.Int(pipeline, "embedded.partitions", 1, 256),
            EmbeddedFetchWait = ConfigReader.Duration(pipeline, "embedded.fetch-wait", TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5)),
            Producer = EmbeddedProducerOptions.Create(ConfigReader.Block(pipeline, "embedded.producer")),
            LabelsTopic = ConfigReader.String(pipeline, "topics.labels", allowEmpty: false),
        };
    }
}
