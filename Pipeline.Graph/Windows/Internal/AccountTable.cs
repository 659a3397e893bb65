using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Graph.Windows.Internal;

/// <summary>
/// The stage's accounts in memory by id: an open-addressing table (linear probing, at most three
/// quarters full, backward-shift deletion) of (hash, slot) pairs. A lookup is usually one probe
/// into one array, where <see cref="Dictionary{TKey,TValue}"/> reads a bucket array and then an
/// entry array: with 100,000 accounts both miss the cache, and the lookup runs once per record.
/// Ids hash with the process-randomized string hash, so crafted account ids cannot force
/// collisions. Keys are the slots' own <see cref="AccountSlot.Id"/>.
/// </summary>
internal sealed class AccountTable
{
    private const int InitialCapacity = 1024;

    // A slot and the copy of its id allocated right after it span about two cache lines.
    private const int SlotLines = 2;

    private Entry[] _entries = new Entry[InitialCapacity];
    private int _count;

    public int Count => _count;

    public bool TryGetValue(string id, [MaybeNullWhen(false)] out AccountSlot slot) => TryGetValue(id, HashOf(id), out slot);

    /// <summary>Looks up <paramref name="id"/> whose <see cref="HashOf"/> the caller already computed.</summary>
    public bool TryGetValue(string id, int hash, [MaybeNullWhen(false)] out AccountSlot slot)
    {
        var entries = _entries;
        var mask = entries.Length - 1;
        for (var i = Home(hash, mask); ; i = (i + 1) & mask)
        {
            ref var e = ref entries[i];
            if (e.Slot is not { } candidate)
            {
                slot = null;
                return false;
            }

            if (e.Hash == hash && (ReferenceEquals(candidate.Id, id) || string.Equals(candidate.Id, id, StringComparison.Ordinal)))
            {
                slot = candidate;
                return true;
            }
        }
    }

    /// <summary>The hash the table files <paramref name="id"/> under.</summary>
    public static int HashOf(string id) => id.GetHashCode();

    /// <summary>Starts loading the table entry where a lookup of <paramref name="hash"/> begins; see <see cref="CachePrefetch"/>.</summary>
    public void PrefetchEntry(int hash)
    {
        var entries = _entries;
        CachePrefetch.At(ref entries[Home(hash, entries.Length - 1)]);
    }

    /// <summary>
    /// Starts loading the slot a lookup of <paramref name="hash"/> would compare first (and its
    /// id, allocated right behind it): reads only the table, whose entry <see cref="PrefetchEntry"/>
    /// should have brought in. A slot with a colliding hash is fetched for nothing, which is harmless.
    /// </summary>
    public void PrefetchSlot(int hash)
    {
        var entries = _entries;
        var mask = entries.Length - 1;
        for (var i = Home(hash, mask); entries[i].Slot is { } candidate; i = (i + 1) & mask)
        {
            if (entries[i].Hash == hash)
            {
                CachePrefetch.Object(candidate, SlotLines);
                return;
            }
        }
    }

    /// <summary>Adds a slot whose id is not in the table.</summary>
    public void Add(AccountSlot slot)
    {
        if (_count + 1 > _entries.Length - (_entries.Length / 4)) Grow();
        Insert(_entries, HashOf(slot.Id), slot);
        _count++;
    }

    public bool Remove(string id)
    {
        var hash = HashOf(id);
        var entries = _entries;
        var mask = entries.Length - 1;
        var i = Home(hash, mask);
        while (true)
        {
            ref var e = ref entries[i];
            if (e.Slot is null) return false;
            if (e.Hash == hash && string.Equals(e.Slot.Id, id, StringComparison.Ordinal)) break;
            i = (i + 1) & mask;
        }

        // Backward shift: move later entries of the probe run into the hole unless that would put
        // them before their home position, so lookups never need tombstones.
        var hole = i;
        for (var j = (i + 1) & mask; entries[j].Slot is not null; j = (j + 1) & mask)
        {
            var home = Home(entries[j].Hash, mask);
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                entries[hole] = entries[j];
                hole = j;
            }
        }

        entries[hole] = default;
        _count--;
        return true;
    }

    /// <summary>The slots, in no particular order; the table must not change while they are enumerated.</summary>
    public IEnumerable<AccountSlot> Values
    {
        get
        {
            foreach (var e in _entries)
            {
                if (e.Slot is not null) yield return e.Slot;
            }
        }
    }

    // Fibonacci hashing spreads the hash's high bits over the table, whatever its low bits do.
    private static int Home(int hash, int mask) => (int)(((uint)hash * 0x9E3779B9u) >> 7) & mask;

    private static void Insert(Entry[] entries, int hash, AccountSlot slot)
    {
        var mask = entries.Length - 1;
        var i = Home(hash, mask);
        while (entries[i].Slot is not null) i = (i + 1) & mask;
        entries[i] = new Entry { Hash = hash, Slot = slot };
    }

    private void Grow()
    {
        var grown = new Entry[_entries.Length * 2];
        foreach (var e in _entries)
        {
            if (e.Slot is not null) Insert(grown, e.Hash, e.Slot);
        }

        _entries = grown;
    }

    private struct Entry
    {
        public int Hash;
        public AccountSlot? Slot;
    }
}
