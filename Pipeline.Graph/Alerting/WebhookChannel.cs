using Pipeline.Graph.Alerting.Internal;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Posts each alert's JSON (<see cref="AlertJson"/>) to a generic webhook, signed: header
/// <c>X-Signature-256: sha256=&lt;hex&gt;</c> is HMAC-SHA256 of the exact body keyed by the shared secret
/// (<see cref="WebhookSignature"/>), and <c>X-Alert-Id</c> lets the receiver drop redeliveries (delivery is
/// at-least-once). URL and secret never appear in a result, a log or <see cref="ToString"/>.
/// </summary>
public sealed class WebhookChannel : IAlertChannel
{
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly string _secret;
    private readonly string?[] _secrets;
    private readonly TimeProvider _clock;

    /// <summary>Creates the channel from <c>pipeline.alerting.webhook</c>.</summary>
    /// <exception cref="ArgumentException">No URL is set.</exception>
    public WebhookChannel(HttpClient client, AlertingSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        if (!settings.Webhook.Enabled) throw new ArgumentException("pipeline.alerting.webhook.url is empty", nameof(settings));
        _client = client;
        _url = new Uri(settings.Webhook.Url, UriKind.Absolute);
        _secret = settings.Webhook.Secret;
        _secrets = [settings.Webhook.Url, settings.Webhook.Secret, _url.AbsolutePath.Length > 1 ? _url.AbsolutePath : null, _url.Query.Length > 1 ? _url.Query : null];
        _clock = clock;
        Rate = settings.Webhook.Rate;
        Burst = settings.Webhook.Burst;
        Timeout = settings.Webhook.Timeout;
    }

    /// <inheritdoc />
    public string Name => AlertChannelNames.Webhook;

    /// <inheritdoc />
    public Severity MinimumSeverity => Severity.Low;

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
        var body = AlertJson.Serialize(alert);
        return HttpPost.SendAsync(_client, _url, body,
            [new(WebhookSignature.HeaderName, WebhookSignature.Compute(_secret, body)), new("X-Alert-Id", alert.AlertId.ToString("D"))],
            Timeout, _clock, _secrets, cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"WebhookChannel(url = {SecretMask.Masked}, secret = {SecretMask.Masked}, rate = {Rate}/s)";
}
