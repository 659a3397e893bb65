using Akka.Configuration;
using Confluent.Kafka;
using Pipeline.Graph.Kafka;
using Config = Akka.Configuration.Config;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Kafka;

/// <summary>Settings built from hocon/reference.conf alone, with the few overrides tests need.</summary>
internal static class KafkaTestConfig
{
    private static readonly Lazy<Config> ReferenceConfig = new(Load);

    /// <summary>hocon/reference.conf of this checkout.</summary>
    public static Config Reference => ReferenceConfig.Value;

    public static Config ConsumerBlock => Reference.GetConfig(ConsumerSettings<string, string>.DefaultPath);

    public static Config CommitterBlock => Reference.GetConfig(CommitterSettings.DefaultPath);

    /// <summary>
    /// Consumer settings for the mock cluster: group timing lowered so joins, rebalances and
    /// auto-commits happen within a test's budget.
    /// </summary>
    public static ConsumerSettings<string, string> Consumer(string bootstrapServers, string groupId) =>
        ConsumerSettings<string, string>.Create(ConsumerBlock, Deserializers.Utf8, Deserializers.Utf8)
            .WithBootstrapServers(bootstrapServers)
            .WithGroupId(groupId)
            .WithProperty("session.timeout.ms", "6000")
            .WithProperty("heartbeat.interval.ms", "500")
            .WithProperty("auto.commit.interval.ms", "100")
            .WithProperty("topic.metadata.refresh.interval.ms", "1000")
            .WithStopTimeout(TimeSpan.FromSeconds(10));

    public static CommitterSettings Committer() => CommitterSettings.Create(CommitterBlock);

    private static Config Load() => ReferenceConfigFile.Load();
}
