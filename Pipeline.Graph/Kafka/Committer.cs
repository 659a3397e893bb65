using Akka;
using Akka.Streams.Dsl;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Commits the offsets of processed records, named as in Akka.Streams.Kafka. Offsets are batched
/// (newest offset per partition, committed as <c>offset + 1</c>) by count and by interval, and
/// handed to the consumer that read them, which stores or commits them on its own thread and
/// skips partitions it no longer owns.
/// <para>HOCON: <c>pipeline.kafka.committer</c> (through <see cref="CommitterSettings"/>).</para>
/// </summary>
public static class Committer
{
    /// <summary>
    /// A flow that commits and emits one <see cref="Done"/> per committed batch.
    /// <list type="bullet">
    /// <item><b>Emits</b> when a batch (<c>max-batch</c> records, or what arrived within <c>max-interval</c>) is
    /// stored or committed (<c>wait-for-ack</c>) or handed to its consumer (<c>send-and-forget</c>).</item>
    /// <item><b>Backpressures</b> when <c>parallelism</c> batches are in flight and the next batch is full.</item>
    /// <item><b>Completes</b> after upstream completes and the partial batch is committed.</item>
    /// <item><b>Fails</b> with <see cref="CommitFailedException"/> when a batch cannot be committed; on upstream
    /// failure it first sends the partial batch to the consumers (emergency commit), then fails with the same error.</item>
    /// <item><b>Cancels</b> when downstream cancels.</item>
    /// </list>
    /// </summary>
    /// <exception cref="KafkaConfigurationException">A setting is out of range.</exception>
    public static Flow<ICommittable, Done, NotUsed> Flow(CommitterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var waitForAck = settings.Delivery == CommitDelivery.WaitForAck;
        return Akka.Streams.Dsl.Flow.Create<ICommittable>()
            .Via(new CommitCollectorStage(settings))
            .SelectAsync(settings.Parallelism, async batch =>
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var commit = batch.CommitAsync(batch.Trigger);
                if (waitForAck)
                {
                    await commit.ConfigureAwait(false);
                    CommitterMetrics.Latency.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                    CommitterMetrics.Offsets.Inc(batch.BatchSize);
                }
                else
                {
                    ObserveFailure(commit);
                }

                return Done.Instance;
            })
            // SelectAsync fails with the task's AggregateException; users should see the commit error itself.
            .SelectError(ex => ex is AggregateException { InnerExceptions.Count: 1, InnerException: CommitFailedException inner } ? inner : ex)
            .Named("kafkaCommitter");
    }

    /// <summary>
    /// A sink that commits; emits, backpressures, completes and fails as <see cref="Flow"/>.
    /// Materializes a task that completes when the last offsets are stored or committed (so it
    /// is the stream completion to pass to <see cref="DrainingControl{T}"/>), and fails with the
    /// stream's failure.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">A setting is out of range.</exception>
    public static Sink<ICommittable, Task<Done>> Sink(CommitterSettings settings) =>
        Flow(settings).ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<Done>(), Keep.Right);

    // send-and-forget: the consumer already logged the failure; observing it keeps it from
    // surfacing as an unobserved task exception.
    private static void ObserveFailure(Task commit) =>
        commit.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
