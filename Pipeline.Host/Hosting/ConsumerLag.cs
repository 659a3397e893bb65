using Pipeline.Graph.Kafka;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Reads the running consumer's status into the lag metrics and answers the Kafka part of
/// readiness. Status comes from the poll thread's own bookkeeping, so reading it costs no broker
/// round trip.
/// </summary>
public static class ConsumerLag
{
    /// <summary>How long without a poll before the consumer counts as stalled.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(30);

    /// <summary>Updates <c>pipeline_consumer_lag</c> per partition and returns the total lag (0 when unknown).</summary>
    public static long Update(PipelineRuntime runtime)
    {
        var status = TryStatus(runtime);
        if (status is null) return 0;
        long total = 0;
        foreach (var p in status.Partitions)
        {
            if (p.Lag is not { } lag) continue;
            total += lag;
            runtime.Metrics.SetLag(p.TopicPartition.Topic, p.TopicPartition.Partition.Value, lag);
        }

        return total;
    }

    /// <summary>"ok", or what is wrong with the consumer.</summary>
    public static string KafkaHealth(PipelineRuntime runtime)
    {
        var status = TryStatus(runtime);
        if (status is null) return "consumer not running";
        if (status.State is ConsumerState.Failed or ConsumerState.Stopped) return $"consumer {status.State.ToString().ToLowerInvariant()}: {status.LastError ?? "no error recorded"}";
        if (status.LastPollAt is not { } lastPoll) return "consumer has not polled yet";
        var since = DateTimeOffset.UtcNow - lastPoll;
        return since > StallAfter ? $"consumer has not polled for {since.TotalSeconds:0}s" : "ok";
    }

    private static ConsumerStatus? TryStatus(PipelineRuntime runtime)
    {
        var control = runtime.Control;
        if (control is null) return null;
        try
        {
            return control.Status();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
