namespace Pipeline.Models.Features.Internal;

/// <summary>A known value of an account (merchant, country or device) by its stable hash, with the newest event time it was seen at.</summary>
internal struct KnownEntry
{
    public ulong Hash;
    public long LastSeenMs;
}
