using Microsoft.Extensions.Logging;

namespace Pipeline.Host.Inspector;

/// <summary>One remembered log entry. Only the rendered message and the exception's type and message are kept — no stack traces, no scopes, no state objects.</summary>
/// <param name="Sequence">Increasing number, so a tail can resume after the last entry it saw.</param>
/// <param name="Timestamp">When it was logged (UTC).</param>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger category.</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Exception">The exception's type and message, if any.</param>
public sealed record InspectorLogEntry(long Sequence, DateTimeOffset Timestamp, LogLevel Level, string Category, string Message, string? Exception)
{
    /// <summary>One line: time, level, category, message.</summary>
    public override string ToString() =>
        $"{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {Short(Level)} {Category}: {Message}{(Exception is null ? string.Empty : " | " + Exception)}";

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC",
        LogLevel.Debug => "DBG",
        LogLevel.Information => "INF",
        LogLevel.Warning => "WRN",
        LogLevel.Error => "ERR",
        LogLevel.Critical => "CRT",
        _ => "---",
    };
}
