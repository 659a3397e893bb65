namespace Pipeline.Graph.Kafka;

/// <summary>
/// The materialized value of a consumer source: stops it, shuts its consumer down and reports its
/// status. All members are thread-safe.
/// </summary>
public interface IControl
{
    /// <summary>
    /// Completes the source (records buffered but not emitted are dropped uncommitted and will be
    /// redelivered) while the consumer stays in the group to serve the commits of records already
    /// emitted, for at most <c>stop-timeout</c>. The task completes when the source has completed.
    /// </summary>
    Task Stop();

    /// <summary>
    /// Stops the source if needed, processes the commits already queued, closes the consumer
    /// (final commit, leaves the group) and disposes it. Commits that arrive later fail with
    /// <see cref="CommitFailedException"/>; use <see cref="DrainAndShutdown{T}"/> to commit everything
    /// processed. Returns <see cref="IsShutdown"/>.
    /// </summary>
    Task Shutdown();

    /// <summary>Completes when the consumer is closed and disposed; faults if closing took longer than <c>close-timeout</c>.</summary>
    Task IsShutdown { get; }

    /// <summary>
    /// The draining shutdown: <see cref="Stop"/>, wait for <paramref name="streamCompletion"/> (normally
    /// the <see cref="Committer.Sink"/> task, which completes after the last offsets are stored or
    /// committed) for at most <c>stop-timeout</c>, then <see cref="Shutdown"/>. Returns the stream's
    /// result; rethrows the stream's failure after shutting down; throws
    /// <see cref="KafkaConsumerException"/> when the stream did not complete in time.
    /// </summary>
    Task<T> DrainAndShutdown<T>(Task<T> streamCompletion);

    /// <summary>A snapshot of the consumer for metrics and the operator CLI.</summary>
    ConsumerStatus Status();
}
