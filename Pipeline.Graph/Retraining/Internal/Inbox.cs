using System.Collections.Concurrent;

namespace Pipeline.Graph.Retraining.Internal;

/// <summary>
/// Messages from other threads to a stage: queued until the stage attaches its async callback,
/// then delivered through it, so calls made before the stage started are not lost.
/// </summary>
internal sealed class Inbox<T>
{
    private readonly ConcurrentQueue<T> _queue = new();
    private volatile Action<NotUsedSignal>? _wake;

    public void Post(T message)
    {
        _queue.Enqueue(message);
        _wake?.Invoke(NotUsedSignal.Instance);
    }

    public void Attach(Action<NotUsedSignal> wake) => _wake = wake;

    public bool TryTake(out T message) => _queue.TryDequeue(out message!);

    internal sealed class NotUsedSignal
    {
        public static readonly NotUsedSignal Instance = new();
    }
}
