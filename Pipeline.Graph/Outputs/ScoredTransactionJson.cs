using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Outputs;

/// <summary>
/// The JSON value of a <c>scored-transactions</c> record (DESIGN §3.3): one object per scored
/// transaction, snake-case members in this order —
/// <c>transaction_id</c> (string), <c>account_id</c> (string), <c>timestamp</c> (the event time,
/// RFC 3339 UTC), <c>amount</c> (number), <c>currency</c> (string), <c>score</c> (number in [0, 1],
/// higher is more anomalous), <c>is_anomaly</c> (bool), <c>severity</c> (LOW, MEDIUM, HIGH or
/// CRITICAL), <c>threshold</c> (number: the alert threshold in force), <c>model_version</c> (string:
/// the registry version that scored it), <c>late</c> (bool), <c>features</c> (object of feature name
/// to number; a non-finite value is null) and <c>reasons</c> (array of reason codes). The same
/// transaction produced again after a replay has the same <c>transaction_id</c>; consumers dedupe on it.
/// </summary>
public static class ScoredTransactionJson
{
    /// <summary>Serializes <paramref name="row"/> to compact UTF-8 JSON.</summary>
    public static byte[] Serialize(ScoredTransaction row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("transaction_id", row.TransactionId);
            w.WriteString("account_id", row.AccountId);
            w.WriteString("timestamp", row.Timestamp.ToUniversalTime());
            WriteNumber(w, "amount", row.Amount);
            w.WriteString("currency", row.Currency);
            WriteNumber(w, "score", row.Score);
            w.WriteBoolean("is_anomaly", row.IsAnomaly);
            w.WriteString("severity", row.Severity);
            WriteNumber(w, "threshold", row.Threshold);
            w.WriteString("model_version", row.ModelVersion);
            w.WriteBoolean("late", row.Late);
            w.WriteStartObject("features");
            foreach (var (name, value) in row.Features) WriteNumber(w, name, value);
            w.WriteEndObject();
            w.WriteStartArray("reasons");
            foreach (var reason in row.Reasons) w.WriteStringValue(reason);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes <paramref name="row"/> to a JSON string.</summary>
    public static string SerializeToString(ScoredTransaction row) => Encoding.UTF8.GetString(Serialize(row));

    // JSON has no NaN or infinity; a feature that could not be computed is null rather than a broken record.
    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
