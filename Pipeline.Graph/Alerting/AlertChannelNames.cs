namespace Pipeline.Graph.Alerting;

/// <summary>The channel names stored in <c>alert_outbox.channel</c> and used as the <c>channel</c> metric label.</summary>
public static class AlertChannelNames
{
    /// <summary>JSON lines on standard output.</summary>
    public const string Console = "console";

    /// <summary>Slack incoming webhook.</summary>
    public const string Slack = "slack";

    /// <summary>Signed generic webhook.</summary>
    public const string Webhook = "webhook";
}
