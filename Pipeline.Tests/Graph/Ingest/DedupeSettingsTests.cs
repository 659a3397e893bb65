using Akka.Configuration;
using Pipeline.Graph.Ingest;
using Pipeline.Tests.Graph.Scoring;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Ingest;

public sealed class DedupeSettingsTests
{
    [Fact]
    public void Create_should_read_every_key_when_given_the_reference_file_alone()
    {
        var settings = DedupeSettings.Create(ReferenceConfigFile.Load().GetConfig("pipeline.dedupe"));

        Assert.Equal("memory", settings.Store);
        Assert.Equal(TimeSpan.FromHours(24), settings.Ttl);
        Assert.Equal(256, settings.BatchSize);
        Assert.Equal(1_000_000, settings.MemoryCapacity);
        Assert.Equal("pipeline:dedupe:", settings.RedisKeyPrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.RedisTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.RedisRetryInterval);
    }

    [Theory]
    [InlineData("pipeline.dedupe.store = disk", "store")]
    [InlineData("pipeline.dedupe.ttl = 0s", "ttl")]
    [InlineData("pipeline.dedupe.batch-size = 0", "batch-size")]
    [InlineData("pipeline.dedupe.memory.capacity = 0", "memory.capacity")]
    [InlineData("pipeline.dedupe.redis.key-prefix = \"\"", "redis.key-prefix")]
    [InlineData("pipeline.dedupe.redis.timeout = 1h", "redis.timeout")]
    public void Create_should_name_the_key_when_a_value_is_out_of_range(string overrides, string key)
    {
        var ex = Assert.Throws<ConfigurationException>(() => DedupeSettings.Create(ReferenceConfigFile.With(overrides).GetConfig("pipeline.dedupe")));

        Assert.Contains($"'{key}'", ex.Message);
    }
}
