using System.Text;
using Pipeline.Models.Domain;

namespace Pipeline.Tests.Models.Domain;

/// <summary>A valid transaction payload whose members tests replace or remove one at a time.</summary>
internal static class DecoderTestData
{
    public const string CardNumber = "4000123412341234";
    public const string Email = "alice.secret@example.com";
    public static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DecoderLimits Limits = new() { Clock = new FixedClock(Now) };

    public static readonly string[] RequiredFields =
        ["transaction_id", "account_id", "timestamp", "amount", "currency", "merchant_id", "merchant_category", "channel", "country"];

    private static readonly (string Name, string Json)[] s_members =
    [
        ("transaction_id", "\"3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b\""),
        ("account_id", "\"acct-000042\""),
        ("timestamp", "\"2024-06-01T11:59:30.250+02:00\""),
        ("amount", "129.99"),
        ("currency", "\"EUR\""),
        ("merchant_id", "\"mrc-00017\""),
        ("merchant_category", "\"electronics\""),
        ("channel", "\"online\""),
        ("country", "\"DE\""),
        ("card_number", $"\"{CardNumber}\""),
        ("email", $"\"{Email}\""),
        ("device_id", "\"dev-0a1b2c3d4e5f\""),
        ("lat", "52.52"),
        ("lon", "13.405"),
    ];

    /// <summary>The record <see cref="Json"/> with no overrides decodes to.</summary>
    public static Transaction Expected => new()
    {
        TransactionId = "3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b",
        AccountId = "acct-000042",
        Timestamp = new DateTimeOffset(2024, 6, 1, 11, 59, 30, 250, TimeSpan.FromHours(2)),
        Amount = 129.99,
        Currency = "EUR",
        MerchantId = "mrc-00017",
        MerchantCategory = "electronics",
        Channel = "online",
        Country = "DE",
        CardNumber = CardNumber,
        Email = Email,
        DeviceId = "dev-0a1b2c3d4e5f",
        Lat = 52.52,
        Lon = 13.405,
    };

    /// <summary>
    /// The valid payload with members replaced by raw JSON text, removed (null), or appended when not in the
    /// contract; a name given twice is written twice.
    /// </summary>
    public static string Json(params (string Name, string? Json)[] overrides)
    {
        var parts = new List<string>();
        foreach (var (name, json) in s_members)
        {
            var replaced = overrides.Where(o => o.Name == name).ToList();
            if (replaced.Count == 0) parts.Add($"\"{name}\":{json}");
            parts.AddRange(replaced.Where(o => o.Json is not null).Select(o => $"\"{o.Name}\":{o.Json}"));
        }

        parts.AddRange(overrides.Where(o => s_members.All(m => m.Name != o.Name) && o.Json is not null).Select(o => $"\"{o.Name}\":{o.Json}"));
        return "{" + string.Join(",", parts) + "}";
    }

    public static byte[] Bytes(params (string Name, string? Json)[] overrides) => Encoding.UTF8.GetBytes(Json(overrides));

    /// <summary>A clock that always reads the same instant.</summary>
    public sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
