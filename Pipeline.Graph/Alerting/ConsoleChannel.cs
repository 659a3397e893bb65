using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// The embedded default's delivery: each alert as one JSON line (<see cref="AlertJson"/>: ids, amount,
/// score, severity, reasons — no card number, e-mail or other PII) on a text writer, normally standard
/// output. Never fails and never throttles.
/// </summary>
public sealed class ConsoleChannel : IAlertChannel
{
    private readonly TextWriter _out;

    /// <summary>Writes to <paramref name="output"/> (synchronized, since posts run in parallel).</summary>
    public ConsoleChannel(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _out = TextWriter.Synchronized(output);
    }

    /// <inheritdoc />
    public string Name => AlertChannelNames.Console;

    /// <inheritdoc />
    public Severity MinimumSeverity => Severity.Low;

    /// <inheritdoc />
    public double? Rate => null;

    /// <inheritdoc />
    public int Burst => 1;

    /// <inheritdoc />
    public TimeSpan Timeout => TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public Task<DeliveryResult> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _out.WriteLine(AlertJson.SerializeToString(alert));
        _out.Flush();
        return Task.FromResult(DeliveryResult.Delivered);
    }
}
