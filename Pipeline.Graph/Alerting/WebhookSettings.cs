namespace Pipeline.Graph.Alerting;

/// <summary>The signed generic webhook channel, read from <c>pipeline.alerting.webhook</c>. <see cref="ToString"/> masks URL and secret.</summary>
public sealed record WebhookSettings
{
    /// <summary><c>url</c>: where alerts are posted, or empty for no webhook channel. A secret.</summary>
    public required string Url { get; init; }

    /// <summary><c>secret</c>: the HMAC-SHA256 key of the <c>X-Signature-256</c> header.</summary>
    public required string Secret { get; init; }

    /// <summary><c>rate</c>: posts per second.</summary>
    public required double Rate { get; init; }

    /// <summary><c>burst</c>: posts allowed at once above the rate.</summary>
    public required int Burst { get; init; }

    /// <summary><c>timeout</c>: longest one post may take.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>True when a URL is set.</summary>
    public bool Enabled => Url.Length > 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"WebhookSettings {{ Url = {SecretMask.Mask(Url)}, Secret = {SecretMask.Mask(Secret)}, Rate = {Rate}, Burst = {Burst}, Timeout = {Timeout} }}";
}
