using Microsoft.Extensions.Hosting;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Http;

/// <summary>
/// Samples throughput, lag and anomaly rate every <see cref="Interval"/> into a ring of the last
/// <see cref="Capacity"/> points for the status page's timelines (five minutes at one per second).
/// </summary>
public sealed class StatusSampler(PipelineRuntime runtime, StatusFeed feed, TimeProvider clock) : BackgroundService
{
    /// <summary>Time between samples.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Samples kept.</summary>
    public const int Capacity = 300;

    private readonly object _gate = new();
    private readonly Queue<StatusSample> _samples = new();

    /// <summary>The samples, oldest first.</summary>
    public IReadOnlyList<StatusSample> Samples()
    {
        lock (_gate) return [.. _samples];
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = (At: clock.GetUtcNow(), Stored: runtime.Metrics.Stored, Accepted: runtime.Metrics.Accepted, Scored: feed.Scored, Anomalous: feed.Anomalous);
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = (At: clock.GetUtcNow(), Stored: runtime.Metrics.Stored, Accepted: runtime.Metrics.Accepted, Scored: feed.Scored, Anomalous: feed.Anomalous);
                var seconds = Math.Max(1e-3, (now.At - last.At).TotalSeconds);
                var scored = now.Scored - last.Scored;
                var sample = new StatusSample(
                    now.At,
                    (now.Stored - last.Stored) / seconds,
                    (now.Accepted - last.Accepted) / seconds,
                    ConsumerLag.Update(runtime),
                    scored > 0 ? (double)(now.Anomalous - last.Anomalous) / scored : 0);
                lock (_gate)
                {
                    _samples.Enqueue(sample);
                    if (_samples.Count > Capacity) _samples.Dequeue();
                }

                last = now;
            }
        }
        catch (OperationCanceledException)
        {
            // Host stopping.
        }
    }
}
