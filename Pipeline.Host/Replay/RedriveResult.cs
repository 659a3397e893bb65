namespace Pipeline.Host.Replay;

/// <summary>What a re-drive (or its dry run) found and did.</summary>
/// <param name="Matched">Dead letters that passed the filter.</param>
/// <param name="Produced">Records produced back to the transactions topic (0 in a dry run).</param>
/// <param name="Truncated">Matches whose dead-letter copy was cut, which are never re-driven.</param>
/// <param name="ByReason">Matches per <c>stage/reason</c>.</param>
public sealed record RedriveResult(long Matched, long Produced, long Truncated, IReadOnlyDictionary<string, long> ByReason);
