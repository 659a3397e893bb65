namespace Pipeline.Models.Domain;

/// <summary>
/// Bounds that keep the decoders safe on hostile input, and the clock for the future-timestamp rule.
/// Immutable; validation in each initializer names the property, the value and the allowed range.
/// </summary>
public sealed record DecoderLimits
{
    /// <summary>Limits with every default: 1 MiB payloads, depth 16, five minutes of clock skew, the system clock.</summary>
    public static DecoderLimits Default { get; } = new();

    /// <summary>
    /// Largest payload accepted, in bytes (default 1 048 576). Checked before the bytes are looked at,
    /// so a many-megabyte payload costs nothing. Range: 1 to <see cref="int.MaxValue"/>.
    /// </summary>
    public int MaxPayloadBytes
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxPayloadBytes), value, "MaxPayloadBytes must be at least 1");
    } = 1_048_576;

    /// <summary>
    /// Deepest nesting of objects and arrays accepted, counting the top-level object as 1 (default 16).
    /// A transaction needs 1; deeper levels only occur inside unknown fields. Range: 1 to 256.
    /// </summary>
    public int MaxDepth
    {
        get;
        init => field = value is >= 1 and <= 256 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDepth), value, "MaxDepth must be in [1, 256]");
    } = 16;

    /// <summary>
    /// How far an event timestamp may lie ahead of <see cref="Clock"/> before it is rejected (default 5 minutes),
    /// to absorb clock drift between producers and this host. Range: zero to 7 days.
    /// </summary>
    public TimeSpan MaxFutureSkew
    {
        get;
        init => field = value >= TimeSpan.Zero && value <= TimeSpan.FromDays(7)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxFutureSkew), value, "MaxFutureSkew must be in [0, 7 days]");
    } = TimeSpan.FromMinutes(5);

    /// <summary>The clock the future-timestamp rule compares against (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider Clock
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Clock));
    } = TimeProvider.System;
}
