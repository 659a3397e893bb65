using Akka.Configuration;
using Pipeline.Graph.Windows;
using Pipeline.Tests.Graph.Kafka;
using Xunit;

namespace Pipeline.Tests.Graph.Windows;

public sealed class WindowSettingsTests
{
    [Fact]
    public void Create_should_read_every_key_when_given_the_reference_file_alone()
    {
        var settings = WindowsTestKit.Settings();

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromHours(24)], settings.Sizes);
        Assert.Equal(60, settings.BucketsPerWindow);
        Assert.Equal(FeatureStoreKind.Memory, settings.Store);
        Assert.Equal("pipeline:features:", settings.Redis.KeyPrefix);
        Assert.Equal(25, settings.ToFeatureOptions().FeatureNames.Count);
        Assert.Equal("count_1m", settings.ToFeatureOptions().FeatureNames[7]);
        Assert.Equal("distinct_countries_24h", settings.ToFeatureOptions().FeatureNames[^1]);
    }

    [Theory]
    [InlineData("buckets-per-window = 0", "buckets-per-window")]
    [InlineData("sizes = [1m, 1m]", "listed twice")]
    [InlineData("sizes = [7s]", "not divisible")]
    [InlineData("store = disk", "store")]
    [InlineData("sizes = [soon]", "sizes")]
    public void Create_should_name_the_key_when_a_value_is_invalid(string overlay, string named)
    {
        var config = ConfigurationFactory.ParseString(overlay).WithFallback(KafkaTestConfig.Reference.GetConfig(WindowSettings.DefaultPath));

        var error = Assert.Throws<ConfigurationException>(() => WindowSettings.Create(config));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void ToString_should_mask_the_redis_password()
    {
        var settings = WindowsTestKit.Settings() with
        {
            Redis = WindowsTestKit.Settings().Redis with { ConnectionString = "redis://user:s3cret@cache:6380/2" },
        };
        var plain = WindowsTestKit.Settings().Redis with { ConnectionString = "cache:6379,password=s3cret,ssl=true" };

        Assert.DoesNotContain("s3cret", settings.Redis.ToString());
        Assert.DoesNotContain("s3cret", plain.ToString());
        Assert.Equal(2, RedisFeatureStateStore.ToOptions(settings.Redis).DefaultDatabase);
        Assert.Equal("s3cret", RedisFeatureStateStore.ToOptions(settings.Redis).Password);
    }
}
