namespace Pipeline.Models.Domain;

/// <summary>
/// A strict RFC 3339 date-time parser over UTF-8 bytes: <c>YYYY-MM-DD</c>, then <c>T</c> (or <c>t</c> or a space,
/// which RFC 3339 §5.6 permits), <c>hh:mm:ss</c>, an optional fraction, and <c>Z</c> or <c>±hh:mm</c>.
/// Fraction digits beyond the seventh (100 ns) are truncated. Leap seconds (<c>:60</c>) are rejected because
/// <see cref="DateTimeOffset"/> cannot represent them. Allocates nothing.
/// </summary>
internal static class Rfc3339
{
    /// <summary>The outcome of <see cref="TryParse"/>.</summary>
    internal enum Outcome
    {
        Ok,
        Invalid,
        MissingOffset,
    }

    private const int MaxOffsetMinutes = 14 * 60;

    public static Outcome TryParse(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 19
            || !Digits(s, 0, 4, out var year) || s[4] != '-'
            || !Digits(s, 5, 2, out var month) || s[7] != '-'
            || !Digits(s, 8, 2, out var day)
            || s[10] is not ((byte)'T' or (byte)'t' or (byte)' ')
            || !Digits(s, 11, 2, out var hour) || s[13] != ':'
            || !Digits(s, 14, 2, out var minute) || s[16] != ':'
            || !Digits(s, 17, 2, out var second))
        {
            return Outcome.Invalid;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return Outcome.Invalid;
        }

        var i = 19;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            var scale = TimeSpan.TicksPerSecond / 10;
            while (i < s.Length && IsDigit(s[i]))
            {
                fractionTicks += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }

            if (i == start) return Outcome.Invalid;
        }

        if (i == s.Length) return Outcome.MissingOffset;

        int offsetMinutes;
        if (s[i] is (byte)'Z' or (byte)'z')
        {
            offsetMinutes = 0;
            i++;
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            if (s.Length - i != 6 || !Digits(s, i + 1, 2, out var oh) || s[i + 3] != ':' || !Digits(s, i + 4, 2, out var om)
                || oh > 23 || om > 59)
            {
                return Outcome.Invalid;
            }

            offsetMinutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
            i += 6;
        }
        else
        {
            return Outcome.Invalid;
        }

        if (i != s.Length || Math.Abs(offsetMinutes) > MaxOffsetMinutes) return Outcome.Invalid;

        var localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var offset = TimeSpan.FromMinutes(offsetMinutes);
        var utcTicks = localTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks) return Outcome.Invalid;

        value = new DateTimeOffset(localTicks, offset);
        return Outcome.Ok;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var k = start; k < start + count; k++)
        {
            if (!IsDigit(s[k])) return false;
            value = value * 10 + (s[k] - '0');
        }

        return true;
    }
}
