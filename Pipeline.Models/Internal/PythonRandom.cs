namespace Pipeline.Models.Internal;

/// <summary>
/// A bit-exact port of CPython's <c>random.Random</c> (MT19937) for integer seeds, so seeded
/// models reproduce River's trees exactly (spec <c>online-algorithms.md</c> §3, "Python RNG").
/// Covers the calls River's HalfSpaceTrees and a Python-compatible shuffle need:
/// <c>random()</c>, <c>uniform(a, b)</c>, <c>choices(..., weights)[0]</c>, <c>getrandbits(k)</c>,
/// <c>_randbelow(n)</c> and <c>shuffle</c>. The state (624 words plus the position) can be saved
/// and restored, which a lazily built model needs to resume with the same future trees.
/// Not thread-safe.
/// </summary>
public sealed class PythonRandom
{
    /// <summary>Number of 32-bit words in the MT19937 state.</summary>
    public const int StateWords = 624;

    private const int ShiftM = 397;
    private const uint MatrixA = 0x9908b0dfU;
    private const uint UpperMask = 0x80000000U;
    private const uint LowerMask = 0x7fffffffU;

    // Constant from CPython's init_by_array: the fixed seed the key is mixed into.
    private const uint InitByArraySeed = 19650218U;

    private readonly uint[] _mt = new uint[StateWords];
    private int _index;

    /// <summary>Seeds like <c>random.Random(seed)</c>; negative seeds use their magnitude, as CPython does.</summary>
    public PythonRandom(long seed)
    {
        // CPython seeds with abs(seed) split into little-endian 32-bit words ([0] for zero).
        var magnitude = seed < 0 ? unchecked((ulong)(-(seed + 1)) + 1UL) : (ulong)seed;
        var low = (uint)magnitude;
        var high = (uint)(magnitude >> 32);
        if (high == 0)
        {
            InitByArray([low]);
        }
        else
        {
            InitByArray([low, high]);
        }
    }

    private PythonRandom()
    {
    }

    /// <summary>Restores a generator from <see cref="SaveState"/> output.</summary>
    /// <exception cref="ArgumentException">The word count is not 624 or the position is outside [0, 624].</exception>
    public static PythonRandom FromState(ReadOnlySpan<uint> words, int position)
    {
        if (words.Length != StateWords)
        {
            throw new ArgumentException($"state must hold {StateWords} words, got {words.Length}", nameof(words));
        }

        if (position is < 0 or > StateWords)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, $"position must be in [0, {StateWords}]");
        }

        var r = new PythonRandom();
        words.CopyTo(r._mt);
        r._index = position;
        return r;
    }

    /// <summary>Copies the 624 state words into <paramref name="words"/> and returns the position (0–624).</summary>
    public int SaveState(Span<uint> words)
    {
        if (words.Length != StateWords)
        {
            throw new ArgumentException($"state buffer must hold {StateWords} words, got {words.Length}", nameof(words));
        }

        _mt.CopyTo(words);
        return _index;
    }

    /// <summary>The next 32-bit output of MT19937 (CPython's <c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= StateWords)
        {
            Twist();
        }

        var y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>Python's <c>random()</c>: a double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        var a = NextUInt32() >> 5;
        var b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /// <summary>Python's <c>uniform(a, b)</c>: <c>a + (b - a) * random()</c>.</summary>
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();

    /// <summary>
    /// Python's <c>choices(population, cum_weights=c)[0]</c> as an index: draws one <c>random()</c>
    /// (even for a single entry) and returns <c>bisect_right(c, random() * c[^1], 0, c.Length - 1)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The weights are empty, or their total is not a positive finite number.</exception>
    public int ChooseIndexCumulative(ReadOnlySpan<double> cumulativeWeights)
    {
        if (cumulativeWeights.IsEmpty)
        {
            throw new ArgumentException("cannot choose from an empty population", nameof(cumulativeWeights));
        }

        var total = cumulativeWeights[^1];
        if (!(total > 0.0) || !double.IsFinite(total))
        {
            throw new ArgumentException($"total of weights must be a positive finite number, got {total}", nameof(cumulativeWeights));
        }

        var target = NextDouble() * total;
        var lo = 0;
        var hi = cumulativeWeights.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (target < cumulativeWeights[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>Python's <c>getrandbits(k)</c> for 1 ≤ k ≤ 64 (words consumed least significant first).</summary>
    public ulong GetRandBits(int k)
    {
        if (k is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be in [1, 64]");
        }

        if (k <= 32)
        {
            return NextUInt32() >> (32 - k);
        }

        var low = (ulong)NextUInt32();
        var high = (ulong)(NextUInt32() >> (64 - k));
        return low | (high << 32);
    }

    /// <summary>Python's <c>_randbelow(n)</c>: uniform in [0, n) by rejection on <c>getrandbits(n.bit_length())</c>.</summary>
    public long RandBelow(long n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive");
        }

        var k = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)n);
        var r = GetRandBits(k);
        while (r >= (ulong)n)
        {
            r = GetRandBits(k);
        }

        return (long)r;
    }

    /// <summary>Python's <c>shuffle(x)</c> (Fisher–Yates from the end), so a seed shuffles like CPython does.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = (int)RandBelow(i + 1L);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void InitGenRand(uint seed)
    {
        _mt[0] = seed;
        for (var i = 1; i < StateWords; i++)
        {
            _mt[i] = unchecked(1812433253U * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
        }

        _index = StateWords;
    }

    private void InitByArray(ReadOnlySpan<uint> key)
    {
        InitGenRand(InitByArraySeed);
        var i = 1;
        var j = 0;
        unchecked
        {
            for (var k = Math.Max(StateWords, key.Length); k > 0; k--)
            {
                _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint)j;
                i++;
                j++;
                if (i >= StateWords)
                {
                    _mt[0] = _mt[StateWords - 1];
                    i = 1;
                }

                if (j >= key.Length)
                {
                    j = 0;
                }
            }

            for (var k = StateWords - 1; k > 0; k--)
            {
                _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1566083941U)) - (uint)i;
                i++;
                if (i >= StateWords)
                {
                    _mt[0] = _mt[StateWords - 1];
                    i = 1;
                }
            }
        }

        _mt[0] = 0x80000000U;
    }

    private void Twist()
    {
        var mt = _mt;
        int kk;
        for (kk = 0; kk < StateWords - ShiftM; kk++)
        {
            var y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
            mt[kk] = mt[kk + ShiftM] ^ (y >> 1) ^ ((y & 1U) * MatrixA);
        }

        for (; kk < StateWords - 1; kk++)
        {
            var y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
            mt[kk] = mt[kk + (ShiftM - StateWords)] ^ (y >> 1) ^ ((y & 1U) * MatrixA);
        }

        var last = (mt[StateWords - 1] & UpperMask) | (mt[0] & LowerMask);
        mt[StateWords - 1] = mt[ShiftM - 1] ^ (last >> 1) ^ ((last & 1U) * MatrixA);
        _index = 0;
    }
}
