using System.Globalization;
using System.Text;

namespace Pipeline.Tests.Graph.Ingest;

/// <summary>Valid transactions with known PII, and hostile records with the stage and reason each must be quarantined with.</summary>
internal static class HostileCorpus
{
    public sealed record Hostile(string Name, string? Key, byte[] Value, string Stage, string Reason);

    public sealed record Valid(string Key, byte[] Value, string TransactionId, string CardNumber, string Email);

    /// <summary>A valid transaction; card number and e-mail are unique to <paramref name="i"/>.</summary>
    public static Valid Transaction(int i, Guid? id = null, DateTimeOffset? timestamp = null)
    {
        var transactionId = (id ?? Guid.NewGuid()).ToString("D");
        var card = CardNumber(i);
        var email = $"holder{i}.secret@bank{i % 7}.example";
        var json = Json(transactionId, $"acct-{i % 50:D4}", timestamp ?? DateTimeOffset.UtcNow.AddMinutes(-1), "42.50", card, email);
        return new Valid($"acct-{i % 50:D4}", Encoding.UTF8.GetBytes(json), transactionId, card, email);
    }

    /// <summary>A 16-digit number unique to <paramref name="i"/>.</summary>
    public static string CardNumber(int i) => "4" + (555_000_000_000_000L + (i * 7_919L)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The hostile kinds; <paramref name="variant"/> varies ids, PII and sizes between copies.</summary>
    public static IReadOnlyList<Hostile> Kinds(int variant)
    {
        var valid = Transaction(1_000_000 + variant);
        var text = Encoding.UTF8.GetString(valid.Value);
        var key = valid.Key;
        var nested = new string('[', 100) + new string(']', 100);
        var invalidUtf8 = Encoding.UTF8.GetBytes(text.Replace("\"EUR\"", "\"E#R\"", StringComparison.Ordinal));
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)'#')] = 0xC3;
        return
        [
            new("not json", key, Encoding.UTF8.GetBytes($"card {valid.CardNumber} mail {valid.Email} <xml/>"), "decode", "not_json"),
            new("invalid utf-8", key, invalidUtf8, "decode", "invalid_utf8"),
            new("empty", key, [], "decode", "empty_payload"),
            new("too large", key, Encoding.UTF8.GetBytes(text.Replace("\"country\"", $"\"padding\":\"{new string('x', 1_100_000 + variant)}\",\"country\"", StringComparison.Ordinal)), "decode", "payload_too_large"),
            new("deep nesting", key, Encoding.UTF8.GetBytes(text.Replace("\"country\"", $"\"deep\":{nested},\"country\"", StringComparison.Ordinal)), "decode", "nesting_too_deep"),
            new("NaN amount", key, Encoding.UTF8.GetBytes(text.Replace("\"amount\":42.50", "\"amount\":NaN", StringComparison.Ordinal)), "decode", "not_json"),
            new("Infinity amount", key, Encoding.UTF8.GetBytes(text.Replace("\"amount\":42.50", "\"amount\":Infinity", StringComparison.Ordinal)), "decode", "not_json"),
            new("duplicate key", key, Encoding.UTF8.GetBytes(text.Replace("\"amount\":42.50", "\"amount\":42.50,\"amount\":1", StringComparison.Ordinal)), "decode", "duplicate_key"),
            new("not an object", key, Encoding.UTF8.GetBytes($"[\"{valid.CardNumber}\"]"), "schema", "not_object"),
            new("amount as string", key, Encoding.UTF8.GetBytes(text.Replace("\"amount\":42.50", "\"amount\":\"42.50\"", StringComparison.Ordinal)), "schema", "wrong_type"),
            new("missing currency", key, Encoding.UTF8.GetBytes(text.Replace("\"currency\":\"EUR\",", string.Empty, StringComparison.Ordinal)), "schema", "missing_field"),
            new("negative amount", key, Encoding.UTF8.GetBytes(text.Replace("\"amount\":42.50", "\"amount\":-42.50", StringComparison.Ordinal)), "rule", "amount_not_positive"),
            new("zero amount", key, Encoding.UTF8.GetBytes(text.Replace("\"amount\":42.50", "\"amount\":0", StringComparison.Ordinal)), "rule", "amount_not_positive"),
            new("timestamp without offset", key, Encoding.UTF8.GetBytes(Json(valid.TransactionId, key, null, "42.50", valid.CardNumber, valid.Email, "2024-06-01T12:00:00")), "rule", "timestamp_without_offset"),
            new("timestamp far in the future", key, Encoding.UTF8.GetBytes(Json(valid.TransactionId, key, new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), "42.50", valid.CardNumber, valid.Email)), "rule", "timestamp_in_future"),
            new("no key, bad uuid", null, Encoding.UTF8.GetBytes(text.Replace(valid.TransactionId, "not-a-uuid", StringComparison.Ordinal)), "rule", "invalid_uuid"),
        ];
    }

    private static string Json(string id, string account, DateTimeOffset? timestamp, string amount, string card, string email, string? rawTimestamp = null)
    {
        var ts = rawTimestamp ?? timestamp!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        return $"{{\"transaction_id\":\"{id}\",\"account_id\":\"{account}\",\"timestamp\":\"{ts}\",\"amount\":{amount},\"currency\":\"EUR\"," +
               $"\"merchant_id\":\"m-1\",\"merchant_category\":\"grocery\",\"channel\":\"online\",\"country\":\"DE\"," +
               $"\"card_number\":\"{card}\",\"email\":\"{email}\",\"device_id\":\"d-1\"}}";
    }
}
