namespace Pipeline.Models.Alerting;

/// <summary>
/// Turns an HTTP <c>Retry-After</c> header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into a
/// wait from now. A date in the past means "now"; the wait is capped so a hostile or broken receiver
/// cannot park an alert for days.
/// </summary>
public static class RetryAfter
{
    /// <summary>The wait the header asks for, or null when it is absent or unreadable.</summary>
    /// <param name="value">The raw header value.</param>
    /// <param name="now">The current time, to measure an HTTP-date against.</param>
    /// <param name="cap">Upper bound of the result.</param>
    public static TimeSpan? Parse(string? value, DateTimeOffset now, TimeSpan cap)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= cap.TotalSeconds ? cap : TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(text, "r", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out date))
        {
            return Clamp(date - now, cap);
        }

        return null;
    }

    /// <summary>The wait for an already parsed header: a delta, or a date measured against <paramref name="now"/>.</summary>
    public static TimeSpan? From(TimeSpan? delta, DateTimeOffset? date, DateTimeOffset now, TimeSpan cap) =>
        delta is { } d ? Clamp(d, cap)
        : date is { } at ? Clamp(at - now, cap)
        : null;

    private static TimeSpan Clamp(TimeSpan wait, TimeSpan cap) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > cap ? cap : wait;
}
