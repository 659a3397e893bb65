namespace Pipeline.Models.Privacy;

/// <summary>
/// Masks what looks like PII in the bytes of a rejected record, so the copy kept in the <c>quarantine</c>
/// table holds no card number or e-mail in clear even when the record could not be decoded. Masking keeps
/// the length and every other byte, so the structure of a broken payload stays visible for diagnosis; the
/// original bytes remain in the dead-letter topic for re-drive.
/// </summary>
/// <remarks>
/// <para>Three passes, each over every byte, none needing the payload to be valid JSON or UTF-8:</para>
/// <list type="number">
/// <item>the value of every <c>"card_number"</c> and <c>"email"</c> member (string or bare token) is masked whole;</item>
/// <item>every e-mail-like run (<c>local@domain.tld</c>) is masked whole;</item>
/// <item>every run of 12 or more digits, optionally separated by single spaces or dashes (a card number
/// anywhere, in any field), is masked except its last four digits.</item>
/// </list>
/// <para>It over-masks rather than under-masks: a long number that is not a card number (a millisecond epoch
/// timestamp has 13 digits) is masked too. Escaped text (<c>\u0034</c>) is not decoded, so values spelled
/// with escapes are not recognised; they are not in clear either. Cost: linear in the payload, one copy.</para>
/// </remarks>
public static class PiiRedactor
{
    /// <summary>The byte that replaces a masked byte.</summary>
    public const byte Mask = (byte)'*';

    /// <summary>Digits a run needs before it is treated as a card number.</summary>
    public const int MinCardDigits = 12;

    private const int KeptCardDigits = 4;

    private static readonly byte[][] s_memberNames = ["\"card_number\""u8.ToArray(), "\"email\""u8.ToArray()];

    /// <summary>A masked copy of <paramref name="raw"/>, the same length.</summary>
    public static byte[] Redact(ReadOnlySpan<byte> raw)
    {
        var copy = raw.ToArray();
        RedactInPlace(copy);
        return copy;
    }

    /// <summary>
    /// <paramref name="text"/> with what looks like PII masked (the same passes over its UTF-8 bytes); the same
    /// instance when nothing was masked.
    /// </summary>
    public static string RedactText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return RedactInPlace(bytes) == 0 ? text : System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Masks <paramref name="bytes"/> in place; returns the number of bytes masked.</summary>
    public static int RedactInPlace(Span<byte> bytes)
    {
        var masked = 0;
        foreach (var name in s_memberNames) masked += MaskMemberValues(bytes, name);
        masked += MaskEmails(bytes);
        masked += MaskDigitRuns(bytes);
        return masked;
    }

    private static int MaskMemberValues(Span<byte> bytes, ReadOnlySpan<byte> name)
    {
        var masked = 0;
        var from = 0;
        while (from < bytes.Length)
        {
            var hit = bytes[from..].IndexOf(name);
            if (hit < 0) break;
            var i = SkipWhitespace(bytes, from + hit + name.Length);
            from += hit + name.Length;
            if (i >= bytes.Length || bytes[i] != (byte)':') continue;
            i = SkipWhitespace(bytes, i + 1);
            if (i >= bytes.Length) break;
            if (bytes[i] == (byte)'"')
            {
                // A string value: mask up to the closing quote, honouring escapes; an unterminated one to the end.
                for (i++; i < bytes.Length && bytes[i] != (byte)'"'; i++)
                {
                    if (bytes[i] == (byte)'\\' && i + 1 < bytes.Length)
                    {
                        masked += MaskAt(bytes, i);
                        i++;
                    }

                    masked += MaskAt(bytes, i);
                }
            }
            else
            {
                // A bare value (a number, or garbage): mask up to the next structural character or white space.
                for (; i < bytes.Length && !IsDelimiter(bytes[i]); i++) masked += MaskAt(bytes, i);
            }

            from = i;
        }

        return masked;
    }

    private static int MaskEmails(Span<byte> bytes)
    {
        var masked = 0;
        var from = 0;
        while (from < bytes.Length)
        {
            var at = bytes[from..].IndexOf((byte)'@');
            if (at < 0) break;
            at += from;
            var start = at;
            while (start > 0 && IsLocalPart(bytes[start - 1])) start--;
            var end = at + 1;
            var dots = 0;
            while (end < bytes.Length && IsDomainPart(bytes[end]))
            {
                if (bytes[end] == (byte)'.') dots++;
                end++;
            }

            if (start < at && dots > 0 && end - at > 3)
            {
                for (var i = start; i < end; i++) masked += MaskAt(bytes, i);
            }

            from = end;
        }

        return masked;
    }

    private static int MaskDigitRuns(Span<byte> bytes)
    {
        var masked = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            if (!IsDigit(bytes[i]))
            {
                i++;
                continue;
            }

            // A run: digits, each pair at most one space or dash apart.
            var start = i;
            var digits = 0;
            var end = i;
            while (end < bytes.Length)
            {
                if (IsDigit(bytes[end]))
                {
                    digits++;
                    end++;
                }
                else if (bytes[end] is (byte)' ' or (byte)'-' && end + 1 < bytes.Length && IsDigit(bytes[end + 1]))
                {
                    end++;
                }
                else
                {
                    break;
                }
            }

            if (digits >= MinCardDigits)
            {
                var toMask = digits - KeptCardDigits;
                for (var j = start; j < end && toMask > 0; j++)
                {
                    if (!IsDigit(bytes[j])) continue;
                    masked += MaskAt(bytes, j);
                    toMask--;
                }
            }

            i = end;
        }

        return masked;
    }

    private static int MaskAt(Span<byte> bytes, int index)
    {
        if (bytes[index] == Mask) return 0;
        bytes[index] = Mask;
        return 1;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> bytes, int i)
    {
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i;
    }

    private static bool IsDelimiter(byte b) => b is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    // Bytes of 0x80 and above belong to non-ASCII UTF-8 characters, which internationalised addresses may use.
    private static bool IsLocalPart(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'.' or (byte)'_' or (byte)'%' or (byte)'+' or (byte)'-' or >= 0x80;

    private static bool IsDomainPart(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'.' or (byte)'-' or >= 0x80;
}
