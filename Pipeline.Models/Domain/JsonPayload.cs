using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Pipeline.Models.Domain;

/// <summary>
/// The checks every decoder shares: the envelope (size, emptiness, UTF-8) before any parsing, bounded walking
/// of values the decoder does not interpret, string hygiene, and the trailing-data check.
/// </summary>
internal static class JsonPayload
{
    /// <summary>The outcome of <see cref="SkipValue"/>.</summary>
    internal enum SkipOutcome
    {
        Ok,
        TooDeep,
        NulCharacter,
    }

    private const int StackUnescapeBytes = 256;

    /// <summary>
    /// Checks the raw bytes. Size first, so a huge payload is refused without being scanned; then a UTF-8 byte
    /// order mark is dropped (some producers write one; it carries no meaning); then emptiness and UTF-8 validity.
    /// Validating UTF-8 up front means no later <c>GetString</c> can fail on a malformed sequence.
    /// </summary>
    public static Rejection? CheckEnvelope(ref ReadOnlySpan<byte> utf8, DecoderLimits limits)
    {
        if (utf8.Length > limits.MaxPayloadBytes) return Rejections.PayloadTooLarge(limits.MaxPayloadBytes);
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        if (utf8.IsEmpty) return Rejections.EmptyPayload;
        if (!Utf8.IsValid(utf8)) return Rejections.InvalidUtf8;
        return null;
    }

    /// <summary>
    /// Reader options with the reader's own depth guard one level above ours, so our check always fires first
    /// and yields <see cref="RejectionReasons.NestingTooDeep"/> rather than a generic parse error.
    /// </summary>
    public static JsonReaderOptions ReaderOptions(DecoderLimits limits) => new()
    {
        MaxDepth = limits.MaxDepth + 1,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>True when a container starting at the reader's current token would exceed <paramref name="maxDepth"/>.</summary>
    public static bool OpensTooDeep(in Utf8JsonReader reader, int maxDepth) =>
        reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > maxDepth;

    /// <summary>
    /// Walks the value whose first token is current, leaving the reader on its last token. Checks nesting and
    /// every escaped string (a raw string cannot hold U+0000 or a lone surrogate once UTF-8 is validated).
    /// Throws <see cref="JsonException"/> on malformed JSON and <see cref="InvalidOperationException"/> on an
    /// escaped lone surrogate; the decoders turn both into rejections.
    /// </summary>
    public static SkipOutcome SkipValue(ref Utf8JsonReader reader, int maxDepth)
    {
        if (reader.TokenType == JsonTokenType.String) return HasNul(in reader) ? SkipOutcome.NulCharacter : SkipOutcome.Ok;
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return SkipOutcome.Ok;
        if (OpensTooDeep(in reader, maxDepth)) return SkipOutcome.TooDeep;

        var depth = reader.CurrentDepth;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth + 1 > maxDepth:
                    return SkipOutcome.TooDeep;
                case JsonTokenType.String or JsonTokenType.PropertyName when HasNul(in reader):
                    return SkipOutcome.NulCharacter;
                case JsonTokenType.EndObject or JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return SkipOutcome.Ok;
            }
        }

        // Unreachable for a final block: an unfinished container makes Read throw instead of returning false.
        throw new JsonException("unterminated container");
    }

    /// <summary>
    /// True when the current string or property name contains U+0000 once unescaped. Only escaped values are
    /// unescaped (a raw JSON string cannot contain a control character), which also surfaces lone surrogates.
    /// </summary>
    public static bool HasNul(in Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return false;
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        var buffer = length <= StackUnescapeBytes ? stackalloc byte[StackUnescapeBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = reader.CopyString(buffer);
            return buffer[..written].Contains((byte)0);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The current string's unescaped UTF-8 bytes when it fits <paramref name="buffer"/>; false when it is
    /// longer, which for the short codes this is used on (UUIDs, timestamps, currency) means invalid.
    /// </summary>
    public static bool TryGetShortString(in Utf8JsonReader reader, Span<byte> buffer, out ReadOnlySpan<byte> value)
    {
        if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return value.Length <= buffer.Length;
        }

        // An escaped value is never shorter than its unescaped form, so this bound is safe for CopyString.
        if (reader.ValueSpan.Length > buffer.Length)
        {
            value = default;
            return false;
        }

        var written = reader.CopyString(buffer);
        value = buffer[..written];
        return true;
    }

    /// <summary>True when only JSON white space follows the first <paramref name="consumed"/> bytes.</summary>
    public static bool OnlyWhitespaceAfter(ReadOnlySpan<byte> utf8, long consumed) =>
        utf8[(int)consumed..].IndexOfAnyExcept(" \t\r\n"u8) < 0;

    /// <summary>Maps the outcome of a failed <see cref="SkipValue"/> to its rejection.</summary>
    public static Rejection ToRejection(SkipOutcome outcome, DecoderLimits limits) => outcome switch
    {
        SkipOutcome.TooDeep => Rejections.NestingTooDeep(limits.MaxDepth),
        SkipOutcome.NulCharacter => Rejections.NulInUnknownMember,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a failure"),
    };
}
