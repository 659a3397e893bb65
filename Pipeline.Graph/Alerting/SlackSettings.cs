namespace Pipeline.Graph.Alerting;

/// <summary>The Slack channel, read from <c>pipeline.alerting.slack</c>. <see cref="ToString"/> masks the webhook URL.</summary>
public sealed record SlackSettings
{
    /// <summary><c>webhook-url</c>: the incoming webhook, or empty for no Slack channel. A secret.</summary>
    public required string WebhookUrl { get; init; }

    /// <summary><c>rate</c>: posts per second.</summary>
    public required double Rate { get; init; }

    /// <summary><c>burst</c>: posts allowed at once above the rate.</summary>
    public required int Burst { get; init; }

    /// <summary><c>timeout</c>: longest one post may take.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>True when a webhook URL is set.</summary>
    public bool Enabled => WebhookUrl.Length > 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"SlackSettings {{ WebhookUrl = {SecretMask.Mask(WebhookUrl)}, Rate = {Rate}, Burst = {Burst}, Timeout = {Timeout} }}";
}
