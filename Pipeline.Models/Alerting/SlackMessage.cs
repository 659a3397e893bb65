using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Models.Anomaly;

namespace Pipeline.Models.Alerting;

/// <summary>
/// The body of a Slack incoming-webhook post for an alert: a <c>text</c> member in Slack's mrkdwn
/// that reads on its own in a channel and in notifications — severity, amount, account, score against
/// threshold, reasons, and the transaction and alert ids in code spans (ready to paste or link).
/// </summary>
public static class SlackMessage
{
    /// <summary>The readable text of <paramref name="alert"/>.</summary>
    public static string Text(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(256);
        sb.Append(Icon(alert.Severity)).Append(" *").Append(SeverityBuckets.WireName(alert.Severity)).Append(" anomaly* on account `")
            .Append(Escape(alert.AccountId)).Append("`\n");
        sb.Append("*Amount:* ").Append(alert.Amount.ToString("N2", c)).Append(' ').Append(Escape(alert.Currency))
            .Append("   *Score:* ").Append(alert.Score.ToString("0.000", c))
            .Append(" (threshold ").Append(alert.Threshold.ToString("0.000", c)).Append(")\n");
        sb.Append("*Reasons:* ").Append(alert.Reasons.Count == 0 ? "score above threshold" : Escape(string.Join(", ", alert.Reasons))).Append('\n');
        sb.Append("*Transaction:* `").Append(Escape(alert.TransactionId)).Append("`   *Alert:* `").Append(alert.AlertId.ToString("D"))
            .Append("`   *Model:* ").Append(Escape(alert.ModelVersion)).Append('\n');
        sb.Append("*Event time:* ").Append(alert.EventTime.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", c));
        return sb.ToString();
    }

    /// <summary>The JSON body to post: <c>{"text": …}</c>.</summary>
    public static byte[] Body(Alert alert)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("text", Text(alert));
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Icon(Severity severity) => severity switch
    {
        Severity.Critical => ":rotating_light:",
        Severity.High => ":red_circle:",
        Severity.Medium => ":large_orange_circle:",
        _ => ":large_yellow_circle:",
    };

    // Slack's mrkdwn treats &, < and > as control characters; everything else is literal.
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
