using System.Collections.Concurrent;
using Akka.Event;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary>An Akka logging adapter that keeps every formatted message (and its exception text) for assertions.</summary>
internal sealed class CapturingLog() : LoggingAdapterBase(SemanticLogMessageFormatter.Instance)
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Entries => _entries.ToArray();

    public string AllText => string.Join('\n', _entries.Select(e => e.Text));

    public override bool IsDebugEnabled => true;

    public override bool IsInfoEnabled => true;

    public override bool IsWarningEnabled => true;

    public override bool IsErrorEnabled => true;

    protected override void NotifyLog(LogLevel logLevel, object message, Exception? cause = null) =>
        _entries.Enqueue((logLevel, cause is null ? $"{message}" : $"{message} | {cause}"));
}
