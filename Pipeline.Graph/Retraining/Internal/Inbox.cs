using System.Collections.Concurrent;

namespace Pipeline.Graph.Retraining.Internal;

/// <summary>
/// Messages from other threads to a stage: queued until the stage attaches its async callback,
/// then delivered through it, so calls made before the stage started are not lost.
/// </summary>
/// <remarks>
/// Posting and attaching share a lock. Without it, a post racing the stage's start could enqueue
/// unseen by the stage's first drain and still read no callback (each thread's write is allowed to
/// pass the other's read), and the message would wait for the next post: a shadow that never began.
/// Posts are commands and labels, not per-record traffic, so the lock costs nothing that matters.
/// </remarks>
internal sealed class Inbox<T>
{
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly Lock _gate = new();
    private Action<NotUsedSignal>? _wake;

    public void Post(T message)
    {
        Action<NotUsedSignal>? wake;
        lock (_gate)
        {
            _queue.Enqueue(message);
            wake = _wake;
        }

        wake?.Invoke(NotUsedSignal.Instance);
    }

    /// <summary>Sets the stage's wake-up; the stage drains right after, which takes every message posted before.</summary>
    public void Attach(Action<NotUsedSignal> wake)
    {
        lock (_gate) _wake = wake;
    }

    public bool TryTake(out T message) => _queue.TryDequeue(out message!);

    internal sealed class NotUsedSignal
    {
        public static readonly NotUsedSignal Instance = new();
    }
}
