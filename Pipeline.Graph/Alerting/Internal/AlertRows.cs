using System.Globalization;
using System.Text.Json;

namespace Pipeline.Graph.Alerting.Internal;

/// <summary>Column encodings shared by the PostgreSQL and SQLite alert stores.</summary>
internal static class AlertRows
{
    /// <summary>Fixed-width UTC text for SQLite, so text order is time order.</summary>
    public const string SqliteTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ReasonsJson(IReadOnlyList<string> reasons) => JsonSerializer.Serialize(reasons);

    public static IReadOnlyList<string> ParseReasons(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    public static string StateName(OutboxState state) => state switch
    {
        OutboxState.Pending => "pending",
        OutboxState.Delivered => "delivered",
        OutboxState.Skipped => "skipped",
        OutboxState.Dead => "dead",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown outbox state"),
    };

    public static string SqliteTime(DateTimeOffset time) => time.UtcDateTime.ToString(SqliteTimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseSqliteTime(string text) =>
        new(DateTime.ParseExact(text, SqliteTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
}
