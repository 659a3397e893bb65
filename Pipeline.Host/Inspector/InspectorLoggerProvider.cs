using Microsoft.Extensions.Logging;

namespace Pipeline.Host.Inspector;

/// <summary>
/// An <see cref="ILoggerProvider"/> that copies every log entry of the host (Akka's included — the
/// host routes them through Microsoft.Extensions.Logging) into an <see cref="InspectorLogBuffer"/>.
/// The pipeline never logs transaction contents or secrets, so the buffer holds no PII.
/// </summary>
public sealed class InspectorLoggerProvider(InspectorLogBuffer buffer, TimeProvider clock) : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new BufferLogger(buffer, clock, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        // The buffer outlives the provider; nothing to release.
    }

    private sealed class BufferLogger(InspectorLogBuffer buffer, TimeProvider clock, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            buffer.Add(clock.GetUtcNow(), logLevel, category, formatter(state, exception), exception);
        }
    }
}
