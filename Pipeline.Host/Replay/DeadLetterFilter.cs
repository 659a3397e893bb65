namespace Pipeline.Host.Replay;

/// <summary>Which dead letters to list or re-drive.</summary>
/// <param name="Reasons">Reason codes to keep (any when empty).</param>
/// <param name="Stage">The rejecting stage to keep (any when null).</param>
/// <param name="Since">Keep records the pipeline read at or after this time (any when null).</param>
/// <param name="Limit">Stop after this many matches (all when null).</param>
public sealed record DeadLetterFilter(IReadOnlySet<string> Reasons, string? Stage, DateTimeOffset? Since, long? Limit)
{
    /// <summary>Everything.</summary>
    public static DeadLetterFilter All { get; } = new(new HashSet<string>(StringComparer.Ordinal), null, null, null);

    /// <summary>True when <paramref name="entry"/> passes.</summary>
    public bool Matches(DeadLetterEntry entry) =>
        (Reasons.Count == 0 || Reasons.Contains(entry.Reason))
        && (Stage is null || string.Equals(Stage, entry.Stage, StringComparison.Ordinal))
        && (Since is null || entry.ReceivedAt >= Since);

    /// <summary>For people: <c>reason in (a, b), stage decode, since …</c>, or <c>all records</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Reasons.Count > 0) parts.Add($"reason in ({string.Join(", ", Reasons.Order(StringComparer.Ordinal))})");
        if (Stage is not null) parts.Add($"stage {Stage}");
        if (Since is { } since) parts.Add($"read since {since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        if (Limit is { } limit) parts.Add($"at most {limit}");
        return parts.Count == 0 ? "all records" : string.Join(", ", parts);
    }
}
