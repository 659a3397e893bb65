namespace Pipeline.Models.Features.Internal;

/// <summary>
/// FNV-1a 64-bit over a string's UTF-16 code units (low byte, then high byte). Unlike
/// <see cref="string.GetHashCode()"/> it is the same in every process, which checkpointed
/// known-value sets need; it also keeps the values themselves out of the feature store.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    // For a code unit below 256 the high byte is 0, so its step ((h ^ lo) * P ^ 0) * P equals
    // (h ^ lo) * P², arithmetic being modulo 2^64: one multiplication instead of two, same hash.
    private const ulong PrimeSquared = unchecked(Prime * Prime);

    public static ulong Of(string value)
    {
        var hash = OffsetBasis;
        foreach (var c in value)
        {
            if (c < 256)
            {
                hash = (hash ^ c) * PrimeSquared;
            }
            else
            {
                hash = (hash ^ (byte)c) * Prime;
                hash = (hash ^ (byte)(c >> 8)) * Prime;
            }
        }

        return hash;
    }
}
