using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pipeline.Host.Inspector;

/// <summary>
/// The last N log entries of the host, for <c>log peek</c> and <c>log tail</c>. Bounded: the
/// oldest entry is dropped when full. Tail subscribers get a bounded channel each; a subscriber too
/// slow to keep up loses the oldest unread entries rather than slowing logging down.
/// </summary>
public sealed class InspectorLogBuffer
{
    private const int SubscriberCapacity = 1024;
    private readonly object _gate = new();
    private readonly InspectorLogEntry[] _ring;
    private readonly List<Channel<InspectorLogEntry>> _subscribers = [];
    private long _sequence;
    private int _start;
    private int _count;

    /// <summary>Creates a buffer of <paramref name="capacity"/> entries.</summary>
    public InspectorLogBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new InspectorLogEntry[capacity];
    }

    /// <summary>How many entries it keeps at most.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Tails currently attached (for tests and diagnostics).</summary>
    internal int Tails
    {
        get
        {
            lock (_gate) return _subscribers.Count;
        }
    }

    /// <summary>Remembers one entry and hands it to every tail.</summary>
    public void Add(DateTimeOffset timestamp, LogLevel level, string category, string message, Exception? exception)
    {
        lock (_gate)
        {
            var entry = new InspectorLogEntry(++_sequence, timestamp, level, category, message, exception is null ? null : $"{exception.GetType().Name}: {exception.Message}");
            _ring[(_start + _count) % _ring.Length] = entry;
            if (_count < _ring.Length) _count++;
            else _start = (_start + 1) % _ring.Length;
            foreach (var s in _subscribers) s.Writer.TryWrite(entry);
        }
    }

    /// <summary>The newest <paramref name="count"/> entries at <paramref name="minimum"/> level or above, oldest first.</summary>
    public IReadOnlyList<InspectorLogEntry> Peek(int count, LogLevel minimum)
    {
        lock (_gate)
        {
            var result = new List<InspectorLogEntry>(Math.Min(count, _count));
            for (var i = _count - 1; i >= 0 && result.Count < count; i--)
            {
                var e = _ring[(_start + i) % _ring.Length];
                if (e.Level >= minimum) result.Add(e);
            }

            result.Reverse();
            return result;
        }
    }

    /// <summary>New entries from now on, until <paramref name="ct"/> is cancelled.</summary>
    public async IAsyncEnumerable<InspectorLogEntry> TailAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<InspectorLogEntry>(new BoundedChannelOptions(SubscriberCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate) _subscribers.Add(channel);
        try
        {
            await foreach (var entry in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return entry;
        }
        finally
        {
            lock (_gate) _subscribers.Remove(channel);
        }
    }
}
