using Pipeline.Graph.Alerting.Internal;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Posts alerts to a Slack incoming webhook as a readable message (<see cref="SlackMessage"/>): severity,
/// amount, account, score against threshold, reasons, transaction and alert ids. Sends <c>X-Alert-Id</c>
/// too (Slack ignores it; proxies and test receivers dedupe on it). The webhook URL is a credential: it is
/// never part of a result, a log or <see cref="ToString"/>.
/// </summary>
public sealed class SlackChannel : IAlertChannel
{
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly string?[] _secrets;
    private readonly TimeProvider _clock;

    /// <summary>Creates the channel from <c>pipeline.alerting.slack</c> and <c>min-severity-for-slack</c>.</summary>
    /// <exception cref="ArgumentException">No webhook URL is set.</exception>
    public SlackChannel(HttpClient client, AlertingSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        if (!settings.Slack.Enabled) throw new ArgumentException("pipeline.alerting.slack.webhook-url is empty", nameof(settings));
        _client = client;
        _url = new Uri(settings.Slack.WebhookUrl, UriKind.Absolute);
        _secrets = [settings.Slack.WebhookUrl, _url.AbsolutePath.Length > 1 ? _url.AbsolutePath : null];
        _clock = clock;
        MinimumSeverity = settings.MinSeverityForSlack;
        Rate = settings.Slack.Rate;
        Burst = settings.Slack.Burst;
        Timeout = settings.Slack.Timeout;
    }

    /// <inheritdoc />
    public string Name => AlertChannelNames.Slack;

    /// <inheritdoc />
    public Severity MinimumSeverity { get; }

    /// <inheritdoc />
    public double? Rate { get; }

    /// <inheritdoc />
    public int Burst { get; }

    /// <inheritdoc />
    public TimeSpan Timeout { get; }

    /// <inheritdoc />
    public Task<DeliveryResult> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return HttpPost.SendAsync(_client, _url, SlackMessage.Body(alert),
            [new("X-Alert-Id", alert.AlertId.ToString("D"))], Timeout, _clock, _secrets, cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"SlackChannel(url = {SecretMask.Masked}, min severity = {MinimumSeverity}, rate = {Rate}/s)";
}
