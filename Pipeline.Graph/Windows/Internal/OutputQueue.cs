namespace Pipeline.Graph.Windows.Internal;

/// <summary>
/// The stage's elements in input order, as a growable ring of <see cref="OutputSlot"/> structs
/// addressed by sequence number: an element waiting for its account's load keeps its sequence
/// number and fills its slot in place later. The stage bounds the length by <c>max-in-flight</c>.
/// </summary>
internal sealed class OutputQueue
{
    private OutputSlot[] _slots = new OutputSlot[64];
    private long _head;
    private long _tail;

    public int Count => (int)(_tail - _head);

    /// <summary>The oldest slot; only valid while <see cref="Count"/> is positive.</summary>
    public ref OutputSlot Head => ref _slots[_head & (_slots.Length - 1)];

    /// <summary>The slot of sequence number <paramref name="sequence"/>, which must still be queued.</summary>
    public ref OutputSlot this[long sequence] => ref _slots[sequence & (_slots.Length - 1)];

    /// <summary>Appends an empty slot and returns its sequence number.</summary>
    public long Enqueue()
    {
        if (Count == _slots.Length) Grow();
        return _tail++;
    }

    /// <summary>Removes the head slot, dropping its references.</summary>
    public void Dequeue()
    {
        Head = default;
        _head++;
    }

    private void Grow()
    {
        var grown = new OutputSlot[_slots.Length * 2];
        for (var s = _head; s < _tail; s++) grown[s & (grown.Length - 1)] = _slots[s & (_slots.Length - 1)];
        _slots = grown;
    }
}
