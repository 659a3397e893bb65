using Akka.Configuration;
using Pipeline.Graph.Configuration;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Everything the alert flow and the delivery streams read, from <c>pipeline.alerting</c>.
/// Immutable; <see cref="ToString"/> masks the Slack and webhook URLs and the webhook secret, and
/// validation errors never echo them.
/// </summary>
public sealed record AlertingSettings
{
    /// <summary>The HOCON path of the block.</summary>
    public const string DefaultPath = "pipeline.alerting";

    /// <summary><c>enabled</c>: raise alerts at all.</summary>
    public required bool Enabled { get; init; }

    /// <summary><c>min-severity-for-slack</c>: lower severities are skipped on Slack.</summary>
    public required Severity MinSeverityForSlack { get; init; }

    /// <summary><c>cooldown</c> and <c>dedupe-window</c>.</summary>
    public required CooldownPolicy Cooldown { get; init; }

    /// <summary><c>cache-size</c>: cooldown entries kept in memory.</summary>
    public required int CacheSize { get; init; }

    /// <summary><c>writer.batch-size</c>.</summary>
    public required int WriterBatchSize { get; init; }

    /// <summary><c>writer.retry.*</c>: backoff of failed alert writes.</summary>
    public required Backoff WriterRetry { get; init; }

    /// <summary><c>console.enabled</c>.</summary>
    public required bool ConsoleEnabled { get; init; }

    /// <summary><c>slack</c>.</summary>
    public required SlackSettings Slack { get; init; }

    /// <summary><c>webhook</c>.</summary>
    public required WebhookSettings Webhook { get; init; }

    /// <summary><c>outbox</c>.</summary>
    public required OutboxSettings Outbox { get; init; }

    /// <summary><c>delivery.restart.*</c>: backoff of a failed delivery stream's restart.</summary>
    public required Backoff DeliveryRestart { get; init; }

    /// <summary>
    /// The channels that get an outbox row for every alert, in this order: <c>console</c>,
    /// <c>slack</c>, <c>webhook</c> — those enabled.
    /// </summary>
    public IReadOnlyList<string> Channels
    {
        get
        {
            var channels = new List<string>(3);
            if (ConsoleEnabled) channels.Add(AlertChannelNames.Console);
            if (Slack.Enabled) channels.Add(AlertChannelNames.Slack);
            if (Webhook.Enabled) channels.Add(AlertChannelNames.Webhook);
            return channels;
        }
    }

    /// <summary>Reads the <c>pipeline.alerting</c> block (pass <c>config.GetConfig("pipeline.alerting")</c>).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it (never a secret's value).</exception>
    public static AlertingSettings Create(Config alerting)
    {
        ArgumentNullException.ThrowIfNull(alerting);
        var minSeverity = ConfigReader.OneOf(alerting, "min-severity-for-slack", "LOW", "MEDIUM", "HIGH", "CRITICAL");
        var cooldown = ConfigReader.Duration(alerting, "cooldown", TimeSpan.Zero, TimeSpan.FromDays(7));
        var dedupe = ConfigReader.Duration(alerting, "dedupe-window", TimeSpan.Zero, TimeSpan.FromDays(7));
        if (dedupe > cooldown) throw new ConfigurationException($"setting 'dedupe-window' = {dedupe} must not exceed 'cooldown' = {cooldown}");

        var slack = new SlackSettings
        {
            WebhookUrl = SecretUrl(alerting, "slack.webhook-url"),
            Rate = ConfigReader.Double(alerting, "slack.rate", double.Epsilon, 10_000),
            Burst = ConfigReader.Int(alerting, "slack.burst", 1, 10_000),
            Timeout = ConfigReader.Duration(alerting, "slack.timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
        };
        var webhook = new WebhookSettings
        {
            Url = SecretUrl(alerting, "webhook.url"),
            Secret = ConfigReader.String(alerting, "webhook.secret"),
            Rate = ConfigReader.Double(alerting, "webhook.rate", double.Epsilon, 10_000),
            Burst = ConfigReader.Int(alerting, "webhook.burst", 1, 10_000),
            Timeout = ConfigReader.Duration(alerting, "webhook.timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
        };
        if (webhook.Enabled && webhook.Secret.Length == 0)
        {
            throw new ConfigurationException("setting 'webhook.secret' must not be empty when 'webhook.url' is set (receivers verify the X-Signature-256 header with it)");
        }

        var outbox = new OutboxSettings
        {
            PollInterval = ConfigReader.Duration(alerting, "outbox.poll-interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
            Batch = ConfigReader.Int(alerting, "outbox.batch", 1, 10_000),
            Lease = ConfigReader.Duration(alerting, "outbox.lease", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            Parallelism = ConfigReader.Int(alerting, "outbox.parallelism", 1, 256),
            MaxAttempts = ConfigReader.Int(alerting, "outbox.max-attempts", 1, 1000),
            Retry = ReadBackoff(alerting, "outbox.min-backoff", "outbox.max-backoff", "outbox.random-factor", TimeSpan.FromHours(1), TimeSpan.FromDays(1)),
        };
        foreach (var (name, timeout, enabled) in new[] { ("slack", slack.Timeout, slack.Enabled), ("webhook", webhook.Timeout, webhook.Enabled) })
        {
            if (enabled && outbox.Lease < timeout * 2)
            {
                throw new ConfigurationException($"setting 'outbox.lease' = {outbox.Lease} must be at least twice '{name}.timeout' = {timeout}, or a slow post could outlive its lease");
            }
        }

        return new AlertingSettings
        {
            Enabled = ConfigReader.Bool(alerting, "enabled"),
            MinSeverityForSlack = SeverityNames.Parse(minSeverity),
            Cooldown = new CooldownPolicy(cooldown, dedupe),
            CacheSize = ConfigReader.Int(alerting, "cache-size", 1, 10_000_000),
            WriterBatchSize = ConfigReader.Int(alerting, "writer.batch-size", 1, 100_000),
            WriterRetry = ReadBackoff(alerting, "writer.retry.min-backoff", "writer.retry.max-backoff", "writer.retry.random-factor", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10)),
            ConsoleEnabled = ConfigReader.Bool(alerting, "console.enabled"),
            Slack = slack,
            Webhook = webhook,
            Outbox = outbox,
            DeliveryRestart = ReadBackoff(alerting, "delivery.restart.min-backoff", "delivery.restart.max-backoff", "delivery.restart.random-factor", TimeSpan.FromHours(1), TimeSpan.FromHours(1)),
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"AlertingSettings {{ Enabled = {Enabled}, MinSeverityForSlack = {MinSeverityForSlack}, Cooldown = {Cooldown.Cooldown}, DedupeWindow = {Cooldown.DedupeWindow}, " +
        $"CacheSize = {CacheSize}, WriterBatchSize = {WriterBatchSize}, ConsoleEnabled = {ConsoleEnabled}, Slack = {Slack}, Webhook = {Webhook}, Outbox = {Outbox} }}";

    private static Backoff ReadBackoff(Config config, string minKey, string maxKey, string factorKey, TimeSpan minCap, TimeSpan maxCap)
    {
        var min = ConfigReader.Duration(config, minKey, TimeSpan.FromMilliseconds(1), minCap);
        var max = ConfigReader.Duration(config, maxKey, TimeSpan.FromMilliseconds(1), maxCap);
        if (max < min) throw new ConfigurationException($"setting '{ConfigReader.PathOf(config, maxKey)}' = {max} must be at least '{ConfigReader.PathOf(config, minKey)}' = {min}");
        return new Backoff(min, max, ConfigReader.Double(config, factorKey, 0, 1));
    }

    // The URL of a webhook embeds its credential (Slack: the path), so errors say what is wrong without echoing it.
    private static string SecretUrl(Config config, string key)
    {
        var value = ConfigReader.String(config, key).Trim();
        if (value.Length == 0) return value;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ConfigurationException($"setting '{ConfigReader.PathOf(config, key)}' must be an absolute http or https URL (value hidden: it is a secret)");
        }

        return value;
    }
}
