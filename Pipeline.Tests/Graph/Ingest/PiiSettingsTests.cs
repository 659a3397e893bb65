using Akka.Configuration;
using Pipeline.Graph.Ingest;
using Pipeline.Tests.Graph.Scoring;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Ingest;

public sealed class PiiSettingsTests
{
    private const string GoodKey = "Zq0vJx3mH6pW9sL2cN5bR8tY1uE4iO7aS0dF3gK6jH9l";

    [Fact]
    public void Create_should_refuse_to_start_naming_the_setting_and_the_variable_when_no_key_is_set_outside_the_embedded_mode()
    {
        var ex = Assert.Throws<ConfigurationException>(() => PiiSettings.Create(Block(), embedded: false));

        Assert.Contains("pipeline.pii.key", ex.Message);
        Assert.Contains("PIPELINE_PII_KEY", ex.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Create_should_refuse_a_short_key_without_echoing_it(bool embedded)
    {
        var ex = Assert.Throws<ConfigurationException>(() => PiiSettings.Create(Block("key = \"short-secret-value\""), embedded));

        Assert.Contains("at least 32", ex.Message);
        Assert.DoesNotContain("short-secret-value", ex.Message);
    }

    [Fact]
    public void Create_should_use_a_random_key_per_run_when_no_key_is_set_in_the_embedded_mode()
    {
        var first = PiiSettings.Create(Block(), embedded: true);
        var second = PiiSettings.Create(Block(), embedded: true);

        Assert.True(first.IsEphemeral);
        Assert.Equal(PiiSettings.EphemeralKeyId, first.KeyId);
        Assert.NotEqual(first.CreateProtector().TokenizeEmail("a@b.example"), second.CreateProtector().TokenizeEmail("a@b.example"));
    }

    [Fact]
    public void Create_should_give_stable_tokens_across_runs_when_a_key_is_configured()
    {
        var first = PiiSettings.Create(Block($"key = \"{GoodKey}\", key-id = k7"), embedded: false);
        var second = PiiSettings.Create(Block($"key = \"{GoodKey}\", key-id = k7"), embedded: true);

        Assert.False(first.IsEphemeral);
        Assert.Equal("k7", first.KeyId);
        Assert.Equal(first.CreateProtector().TokenizeCardNumber("4111111111111111"), second.CreateProtector().TokenizeCardNumber("4111111111111111"));
    }

    [Fact]
    public void Create_should_read_the_token_cache_size_and_refuse_one_out_of_range_naming_the_setting()
    {
        Assert.Equal(65536, PiiSettings.Create(Block($"key = \"{GoodKey}\""), embedded: false).TokenCache);
        Assert.Equal(0, PiiSettings.Create(Block($"key = \"{GoodKey}\", token-cache = 0"), embedded: false).TokenCache);

        var ex = Assert.Throws<ConfigurationException>(() => PiiSettings.Create(Block($"key = \"{GoodKey}\", token-cache = -1"), embedded: false));

        Assert.Contains("token-cache", ex.Message);
    }

    [Fact]
    public void ToString_should_mask_the_key()
    {
        var text = PiiSettings.Create(Block($"key = \"{GoodKey}\""), embedded: false).ToString();

        Assert.DoesNotContain(GoodKey, text);
        Assert.Contains("k1", text);
    }

    private static Config Block(string overrides = "") => ReferenceConfigFile.With($"pipeline.pii {{ {overrides} }}").GetConfig("pipeline.pii");
}
