using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Pipeline.Models.Anomaly;

namespace Pipeline.Models.Alerting;

/// <summary>
/// The JSON form of an <see cref="Alert"/>: the value of <c>anomaly-alerts</c> records, the body of
/// webhook posts and the console line. Snake-case members in a fixed order; times in RFC 3339 UTC;
/// severity upper-case. <see cref="Deserialize"/> of the output gives an equal alert.
/// </summary>
public static class AlertJson
{
    /// <summary>Serializes <paramref name="alert"/> to compact UTF-8 JSON.</summary>
    public static byte[] Serialize(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("alert_id", alert.AlertId.ToString("D"));
            w.WriteString("transaction_id", alert.TransactionId);
            w.WriteString("account_id", alert.AccountId);
            w.WriteString("event_time", alert.EventTime.ToUniversalTime());
            w.WriteNumber("amount", alert.Amount);
            w.WriteString("currency", alert.Currency);
            w.WriteNumber("score", alert.Score);
            w.WriteString("severity", SeverityBuckets.WireName(alert.Severity));
            w.WriteNumber("threshold", alert.Threshold);
            w.WriteStartArray("reasons");
            foreach (var reason in alert.Reasons) w.WriteStringValue(reason);
            w.WriteEndArray();
            w.WriteString("model_version", alert.ModelVersion);
            w.WriteString("created_at", alert.CreatedAt.ToUniversalTime());
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes <paramref name="alert"/> to a JSON string.</summary>
    public static string SerializeToString(Alert alert) => System.Text.Encoding.UTF8.GetString(Serialize(alert));

    /// <summary>Reads an alert written by <see cref="Serialize"/>.</summary>
    /// <exception cref="FormatException">The text is not an alert; the message names the member.</exception>
    public static Alert Deserialize(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            return new Alert
            {
                AlertId = Guid.Parse(Get(root, "alert_id").GetString()!),
                TransactionId = Get(root, "transaction_id").GetString()!,
                AccountId = Get(root, "account_id").GetString()!,
                EventTime = Get(root, "event_time").GetDateTimeOffset(),
                Amount = Get(root, "amount").GetDouble(),
                Currency = Get(root, "currency").GetString()!,
                Score = Get(root, "score").GetDouble(),
                Severity = SeverityNames.Parse(Get(root, "severity").GetString()!),
                Threshold = Get(root, "threshold").GetDouble(),
                Reasons = Get(root, "reasons").EnumerateArray().Select(r => r.GetString()!).ToArray(),
                ModelVersion = Get(root, "model_version").GetString()!,
                CreatedAt = Get(root, "created_at").GetDateTimeOffset(),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"not an alert: {ex.Message}", ex);
        }
    }

    private static JsonElement Get(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value : throw new FormatException($"not an alert: member '{name}' is missing");
}
