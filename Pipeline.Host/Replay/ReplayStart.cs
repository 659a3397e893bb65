using System.Globalization;
using Pipeline.Host.Cli;

namespace Pipeline.Host.Replay;

/// <summary>
/// Where a Kafka replay starts: given offsets (<c>--from-offset 2:1500</c>, several as
/// <c>0:10,3:99</c>, or a bare <c>1500</c> for every partition) or a time (<c>--from-time</c>, the
/// first record of each partition whose timestamp is at or after it).
/// </summary>
public sealed record ReplayStart
{
    private ReplayStart(IReadOnlyDictionary<int, long>? offsets, long? allPartitionsOffset, DateTimeOffset? time)
    {
        Offsets = offsets;
        AllPartitionsOffset = allPartitionsOffset;
        Time = time;
    }

    /// <summary>Start offset per listed partition; null when every partition starts alike.</summary>
    public IReadOnlyDictionary<int, long>? Offsets { get; }

    /// <summary>The start offset of every partition (a bare <c>--from-offset N</c>), or null.</summary>
    public long? AllPartitionsOffset { get; }

    /// <summary>The start time (<c>--from-time</c>), or null.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary>A start at <paramref name="time"/>.</summary>
    public static ReplayStart FromTime(DateTimeOffset time) => new(null, null, time);

    /// <summary>Parses <c>--from-offset</c>: <c>N</c>, <c>P:N</c> or <c>P:N,P:N,…</c> (partitions and offsets non-negative).</summary>
    /// <exception cref="CommandLineException">The text is malformed or names a partition twice.</exception>
    public static ReplayStart ParseOffsets(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return new ReplayStart(null, Number(text, "offset", text), null);
        }

        var offsets = new Dictionary<int, long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw Malformed(text);
            var partition = Number(part[..colon], "partition", text);
            if (partition > int.MaxValue || !offsets.TryAdd((int)partition, Number(part[(colon + 1)..], "offset", text)))
            {
                throw new CommandLineException($"option --from-offset names partition {part[..colon]} twice or out of range in '{text}'");
            }
        }

        return new ReplayStart(offsets, null, null);
    }

    /// <summary>Parses an RFC 3339 time with an offset (<c>2024-05-01T12:00:00Z</c>, <c>…+02:00</c>, optional fraction).</summary>
    /// <exception cref="CommandLineException">The text is not such a time; names <paramref name="option"/>.</exception>
    public static DateTimeOffset ParseTime(string text, string option)
    {
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        if (DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && (text.EndsWith('Z') || text.EndsWith('z') || text.Length > 6 && text[^6] is '+' or '-'))
        {
            return time;
        }

        throw new CommandLineException($"option --{option} must be an RFC 3339 time with an offset, like 2024-05-01T12:00:00Z, got '{text}'");
    }

    /// <summary>For people: <c>offset 1500 on every partition</c>, <c>partition 2 from offset 10</c>, <c>time 2024-…</c>.</summary>
    public override string ToString() =>
        Time is { } t ? $"the first record at or after {t.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} on every partition"
        : AllPartitionsOffset is { } all ? $"offset {all} on every partition"
        : string.Join(", ", Offsets!.OrderBy(kv => kv.Key).Select(kv => $"partition {kv.Key} from offset {kv.Value}"));

    private static long Number(string text, string what, string whole) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CommandLineException($"option --from-offset: '{text}' is not a {what} (a non-negative integer) in '{whole}'; use N, P:N or P:N,P:N");

    private static CommandLineException Malformed(string text) =>
        new($"option --from-offset must be N, P:N or P:N,P:N (partition:offset), got '{text}'");
}
