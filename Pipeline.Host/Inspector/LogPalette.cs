using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Pipeline.Host.Inspector;

/// <summary><c>log peek [-c n] [-l level]</c> and <c>log tail [-l level]</c> over the host's in-memory log ring (<see cref="InspectorLogBuffer"/>).</summary>
public sealed class LogPalette(InspectorLogBuffer buffer) : IInspectorPalette
{
    private static readonly InspectorArgument LevelArgument = new("-l", "level", "lowest level shown: trace, debug, information, warning, error, critical", true, "information");

    /// <inheritdoc />
    public string Name => "log";

    /// <inheritdoc />
    public string Description => "recent log entries kept in memory";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("peek", "the newest log entries, oldest first", [new("-c", "count", "how many entries (1-100000)", true, "20"), LevelArgument]),
        new("tail", "follow new log entries until cancelled (Ctrl+C)", [LevelArgument], Streaming: true),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        var level = ParseLevel(invocation.Value("-l")!);
        if (invocation.Command.Name == "peek")
        {
            var entries = buffer.Peek(invocation.Int("-c", 1, 100_000), level);
            yield return new InspectorReply(
                entries.Count == 0 ? $"no log entries at {level} or above" : string.Join('\n', entries.Select(e => e.ToString())),
                new JsonObject { ["entries"] = new JsonArray(entries.Select(ToJson).ToArray()) });
            yield break;
        }

        await foreach (var entry in buffer.TailAsync(ct).ConfigureAwait(false))
        {
            if (entry.Level >= level) yield return new InspectorReply(entry.ToString(), ToJson(entry));
        }
    }

    private static JsonNode ToJson(InspectorLogEntry e) => new JsonObject
    {
        ["sequence"] = e.Sequence,
        ["timestamp"] = e.Timestamp.ToString("O"),
        ["level"] = e.Level.ToString(),
        ["category"] = e.Category,
        ["message"] = e.Message,
        ["exception"] = e.Exception,
    };

    private static LogLevel ParseLevel(string s) => s.ToLowerInvariant() switch
    {
        "trace" or "trc" => LogLevel.Trace,
        "debug" or "dbg" => LogLevel.Debug,
        "information" or "info" or "inf" => LogLevel.Information,
        "warning" or "warn" or "wrn" => LogLevel.Warning,
        "error" or "err" => LogLevel.Error,
        "critical" or "crt" => LogLevel.Critical,
        _ => throw new InspectorUsageException($"switch -l must be one of trace, debug, information, warning, error, critical; got '{s}'"),
    };
}
