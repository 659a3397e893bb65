using Pipeline.Graph.Ingest;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows.Internal;

/// <summary>
/// The transactions the stage has taken in but not yet featurized, oldest first, each with the
/// memory of its account on its way into the cache.
/// <para>
/// With many accounts in memory nearly every transaction touches an account no recent one did,
/// and finding and featurizing it waits for memory four times over, each wait depending on the
/// one before: the table entry, the <see cref="AccountSlot"/> (with its id), the
/// <see cref="AccountState"/>, and the state's arrays. Featurizing a transaction only once
/// <see cref="Depth"/> more arrived lets each <see cref="Add"/> start one step of that chain for
/// each of the transactions behind the oldest — a prefetch of the next link, whose address the
/// previous step brought into the cache — so by the time a transaction is featurized its account
/// is in the cache and the waits of several transactions overlapped instead of adding up.
/// </para>
/// <para>
/// Prefetches are hints only: a transaction is always featurized through the ordinary lookup, so
/// an account that was added, replaced or removed in the meantime changes nothing but the speed.
/// The owner decides when to featurize (<see cref="TakeOldest"/>); it never leaves a transaction
/// here once upstream has nothing more to give.
/// </para>
/// </summary>
internal sealed class ReadAhead
{
    /// <summary>Transactions held behind the oldest before the oldest is featurized.</summary>
    public const int Depth = 4 * Spacing;

    // Transactions between two steps of one account's chain: the featurizing of one transaction
    // (a few hundred nanoseconds with its account in the cache) outlasts a memory access.
    private const int Spacing = 1;

    // An AccountState's scalar fields span two cache lines.
    private const int StateLines = 2;

    // A power of two above Depth + 1.
    private const int Capacity = 16;

    private readonly AccountTable _accounts;
    private readonly Held[] _ring = new Held[Capacity];
    private long _head;
    private long _tail;

    public ReadAhead(AccountTable accounts)
    {
        _accounts = accounts;
    }

    public int Count => (int)(_tail - _head);

    /// <summary>
    /// Holds <paramref name="transaction"/>, output place <paramref name="sequence"/>, and moves
    /// the prefetch chain of every held transaction one step on. At most <see cref="Depth"/> + 1
    /// may be held.
    /// </summary>
    public void Add(AcceptedTransaction transaction, long sequence)
    {
        var hash = AccountTable.HashOf(transaction.Transaction.AccountId);
        _ring[_tail & (Capacity - 1)] = new Held(transaction, sequence, hash);
        _tail++;
        _accounts.PrefetchEntry(hash);
        if (Count > Spacing) _accounts.PrefetchSlot(At(Spacing).Hash);
        if (Count > 2 * Spacing)
        {
            ref var held = ref At(2 * Spacing);
            if (_accounts.TryGetValue(held.Transaction.Transaction.AccountId, held.Hash, out var slot) && slot.State is { } state)
            {
                held.State = state;
                CachePrefetch.Object(state, StateLines);
            }
        }

        if (Count > 3 * Spacing) At(3 * Spacing).State?.Prefetch();
    }

    /// <summary>Removes and returns the oldest held transaction; <see cref="Count"/> must be positive.</summary>
    public Held TakeOldest()
    {
        ref var slot = ref _ring[_head & (Capacity - 1)];
        var oldest = slot;
        slot = default;
        _head++;
        return oldest;
    }

    /// <summary>The held transaction <paramref name="back"/> places before the newest.</summary>
    private ref Held At(int back) => ref _ring[(_tail - 1 - back) & (Capacity - 1)];

    /// <summary>A held transaction.</summary>
    /// <param name="Transaction">The element.</param>
    /// <param name="Sequence">Its place in the output queue.</param>
    /// <param name="Hash">Its account id's <see cref="AccountTable.HashOf"/>.</param>
    internal record struct Held(AcceptedTransaction Transaction, long Sequence, int Hash)
    {
        /// <summary>The account's state when its prefetch chain reached it, if the account was in memory.</summary>
        public AccountState? State { get; set; }
    }
}
