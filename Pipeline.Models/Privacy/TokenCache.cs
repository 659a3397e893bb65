using System.IO.Hashing;
using System.Numerics;
using System.Security.Cryptography;

namespace Pipeline.Models.Privacy;

/// <summary>
/// Tokens of recently seen values, so a card or e-mail that comes back (most of them do: the same card
/// pays again and again) skips the keyed hash. Direct-mapped and lock-free: a slot holds one immutable
/// entry, replaced whole on a miss, so readers on any thread see an old or a new entry, never a torn one.
/// </summary>
/// <remarks>
/// Entries are found by a 128-bit XxHash of the hashed input under a random per-process seed, never by the
/// value: the cache holds no clear card number or e-mail. Two different inputs that share the 128-bit hash
/// would share a token; by chance that needs about 2^64 distinct inputs, and on purpose it needs the seed,
/// which lives in the same memory as the HMAC key (whoever reads one reads both).
/// </remarks>
internal sealed class TokenCache
{
    private readonly Entry?[] _slots;
    private readonly int _mask;
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    /// <summary>A cache of at least <paramref name="capacity"/> slots (rounded up to a power of two).</summary>
    public TokenCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new Entry?[size];
        _mask = size - 1;
    }

    /// <summary>The number of slots.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The cache key of <paramref name="input"/> (the bytes the token is the HMAC of).</summary>
    public UInt128 KeyOf(ReadOnlySpan<byte> input) => XxHash128.HashToUInt128(input, _seed);

    /// <summary>The token cached for <paramref name="key"/>, or null.</summary>
    public string? Find(UInt128 key)
    {
        var entry = Volatile.Read(ref _slots[Slot(key)]);
        return entry is not null && entry.Key == key ? entry.Token : null;
    }

    /// <summary>Caches <paramref name="token"/> for <paramref name="key"/>, replacing what its slot held.</summary>
    public void Add(UInt128 key, string token) => Volatile.Write(ref _slots[Slot(key)], new Entry(key, token));

    private int Slot(UInt128 key) => (int)(ulong)key & _mask;

    private sealed class Entry(UInt128 key, string token)
    {
        public UInt128 Key { get; } = key;

        public string Token { get; } = token;
    }
}
