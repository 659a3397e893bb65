using Microsoft.Extensions.Logging;
using Pipeline.Host.Inspector;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

public sealed class InspectorLogBufferTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Peek_should_return_the_newest_entries_oldest_first_and_drop_the_oldest_when_full()
    {
        var buffer = new InspectorLogBuffer(3);
        for (var i = 1; i <= 5; i++) buffer.Add(T0.AddSeconds(i), LogLevel.Information, "c", $"m{i}", null);

        var entries = buffer.Peek(10, LogLevel.Trace);

        Assert.Equal(["m3", "m4", "m5"], entries.Select(e => e.Message));
        Assert.Equal(["m5"], buffer.Peek(1, LogLevel.Trace).Select(e => e.Message));
    }

    [Fact]
    public void Peek_should_keep_only_entries_at_the_requested_level_or_above()
    {
        var buffer = new InspectorLogBuffer(10);
        buffer.Add(T0, LogLevel.Debug, "c", "debug", null);
        buffer.Add(T0, LogLevel.Warning, "c", "warning", null);
        buffer.Add(T0, LogLevel.Error, "c", "error", new InvalidOperationException("boom"));

        var entries = buffer.Peek(10, LogLevel.Warning);

        Assert.Equal(["warning", "error"], entries.Select(e => e.Message));
        Assert.Equal("InvalidOperationException: boom", entries[1].Exception);
        Assert.EndsWith("ERR c: error | InvalidOperationException: boom", entries[1].ToString());
    }

    [Fact]
    public async Task Tail_should_yield_entries_logged_after_it_started_until_cancelled()
    {
        var buffer = new InspectorLogBuffer(10);
        buffer.Add(T0, LogLevel.Information, "c", "before", null);
        using var cts = new CancellationTokenSource();
        var seen = new List<string>();
        var tail = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in buffer.TailAsync(cts.Token))
                {
                    seen.Add(e.Message);
                    if (seen.Count == 2) await cts.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
                // The end of a tail.
            }
        });
        await Graph.Assembly.TransactionGraphTests.WaitUntil(() => buffer.Tails == 1, TimeSpan.FromSeconds(10));

        buffer.Add(T0, LogLevel.Information, "c", "after-1", null);
        buffer.Add(T0, LogLevel.Information, "c", "after-2", null);
        await tail.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["after-1", "after-2"], seen);
    }

    [Fact]
    public void Logger_provider_should_copy_rendered_messages_into_the_buffer()
    {
        var buffer = new InspectorLogBuffer(10);
        using var provider = new InspectorLoggerProvider(buffer, TimeProvider.System);

        provider.CreateLogger("Pipeline.Test").LogWarning("Lag {Lag} on {Partition}", 42, 3);

        var entry = Assert.Single(buffer.Peek(10, LogLevel.Trace));
        Assert.Equal("Lag 42 on 3", entry.Message);
        Assert.Equal("Pipeline.Test", entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
    }
}
