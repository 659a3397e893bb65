using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting.Internal;

/// <summary>
/// A bounded least-recently-used map of cooldown entries in front of <c>alert_cooldowns</c>. It is
/// only an accelerator: a miss reads the table. Not thread-safe; the alert writer uses it from one
/// task at a time. Absent keys whose table row was read and found missing are cached as such.
/// </summary>
internal sealed class CooldownCache
{
    private readonly int _capacity;
    private readonly Dictionary<CooldownKey, LinkedListNode<(CooldownKey Key, CooldownEntry? Entry)>> _map = new();
    private readonly LinkedList<(CooldownKey Key, CooldownEntry? Entry)> _order = new();

    public CooldownCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _map.Count;

    /// <summary>True when <paramref name="key"/> is known (with an entry, or known to have none).</summary>
    public bool TryGet(CooldownKey key, out CooldownEntry? entry)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            entry = node.Value.Entry;
            return true;
        }

        entry = null;
        return false;
    }

    public void Set(CooldownKey key, CooldownEntry? entry)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            node.Value = (key, entry);
            _order.AddFirst(node);
            return;
        }

        _map[key] = _order.AddFirst((key, entry));
        if (_map.Count > _capacity)
        {
            var last = _order.Last!;
            _order.RemoveLast();
            _map.Remove(last.Value.Key);
        }
    }
}
