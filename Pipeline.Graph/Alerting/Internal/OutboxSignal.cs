namespace Pipeline.Graph.Alerting.Internal;

/// <summary>
/// "New outbox rows were committed" within one process: the alert store raises it after a write that
/// added alerts, and the delivery streams reading that same store cut their idle poll short instead of
/// waiting out <c>outbox.poll-interval</c>. It only shortens a wait, so a lost or spurious signal costs
/// at most one poll interval or one empty claim; rows written by other hosts are still found by polling.
/// </summary>
internal sealed class OutboxSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>
    /// Completes at the first signal after this property was read. Read it before claiming, so a write that
    /// commits while the claim runs is not missed.
    /// </summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every waiter of <see cref="Next"/>; continuations run on the thread pool, never on the caller's thread.</summary>
    public void Raise() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
