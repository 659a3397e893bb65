using Akka.Configuration;
using Pipeline.Graph.Alerting;
using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

public sealed class AlertingSettingsTests
{
    private const string SlackUrl = "https://hooks.slack.com/services/T0SECRET/B0SECRET/abcdefSECRETtoken";

    [Fact]
    public void Create_should_read_every_key_when_only_the_reference_file_is_loaded()
    {
        var settings = AlertTestData.Settings();

        Assert.True(settings.Enabled);
        Assert.Equal(Severity.Medium, settings.MinSeverityForSlack);
        Assert.Equal(TimeSpan.FromMinutes(15), settings.Cooldown.Cooldown);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Cooldown.DedupeWindow);
        Assert.False(settings.Slack.Enabled);
        Assert.False(settings.Webhook.Enabled);
        Assert.Equal([AlertChannelNames.Console], settings.Channels);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Outbox.Lease);
    }

    [Fact]
    public void ToString_should_mask_the_webhook_urls_and_secret_when_they_are_set()
    {
        var settings = AlertTestData.Settings($$"""
            pipeline.alerting.slack.webhook-url = "{{SlackUrl}}"
            pipeline.alerting.webhook { url = "https://example.org/hook?token=SECRETQUERY", secret = "hmac-SECRET-key" }
            """);

        var text = settings.ToString();

        Assert.Equal([AlertChannelNames.Console, AlertChannelNames.Slack, AlertChannelNames.Webhook], settings.Channels);
        Assert.DoesNotContain("SECRET", text);
        Assert.Contains("WebhookUrl = ***", text);
        Assert.DoesNotContain("SECRET", settings.Slack.ToString());
        Assert.DoesNotContain("SECRET", settings.Webhook.ToString());
    }

    [Fact]
    public void Create_should_name_the_key_but_not_echo_the_value_when_the_slack_url_is_invalid()
    {
        var ex = Assert.Throws<ConfigurationException>(() => AlertTestData.Settings("""pipeline.alerting.slack.webhook-url = "ftp://SECRET-host/x" """));

        Assert.Contains("slack.webhook-url", ex.Message);
        Assert.DoesNotContain("SECRET", ex.Message);
    }

    [Theory]
    [InlineData("pipeline.alerting.dedupe-window = 20m", "dedupe-window")]
    [InlineData("""pipeline.alerting.webhook.url = "https://example.org/hook" """, "webhook.secret")]
    [InlineData("pipeline.alerting.min-severity-for-slack = URGENT", "min-severity-for-slack")]
    [InlineData("pipeline.alerting.outbox.max-attempts = 0", "outbox.max-attempts")]
    [InlineData("pipeline.alerting.outbox.lease = 3s", "outbox.lease")]
    public void Create_should_name_the_key_when_a_value_is_out_of_range(string overrides, string key)
    {
        var config = overrides.Contains("lease") ? overrides + $"\npipeline.alerting.slack.webhook-url = \"{SlackUrl}\"" : overrides;

        var ex = Assert.Throws<ConfigurationException>(() => AlertTestData.Settings(config));

        Assert.Contains(key, ex.Message);
    }
}
