using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Pipeline.Models.Privacy;

namespace Pipeline.Models.Domain;

/// <summary>
/// Turns the bytes of a <c>transactions</c> message (DESIGN §3.1) into a <see cref="Transaction"/> or a
/// <see cref="Rejection"/>. Built for hostile input: it never throws on any byte sequence, refuses oversized
/// payloads before reading them, bounds nesting, rejects duplicate member names (which readers resolve
/// differently, a classic smuggling trick) and trailing data, and never copies a payload value into a rejection.
/// </summary>
/// <remarks>
/// <para>Checks run in stage order: any decode-level failure wins over a schema failure, which wins over a rule
/// failure, so a payload's stage does not depend on member order. Within a stage the first problem in document
/// order is reported (missing fields in contract order).</para>
/// <para>Unknown members are kept in <see cref="Transaction.ExtraJson"/> as one JSON object, each value copied
/// verbatim. Member names are matched exactly (case-sensitive), as JSON intends.</para>
/// <para>Cost: one forward pass with <see cref="Utf8JsonReader"/>; allocations are the record, its variable strings
/// and, only when unknown members exist, the extra object. Codes and channel names are shared instances.</para>
/// </remarks>
public static class TransactionDecoder
{
    private const int ScratchBytes = 64;
    private const int MaxAccountIdLength = 64;

    // Bit i of the "seen"/"present" masks is Field i; the first nine fields are required (DESIGN §3.1).
    private const int RequiredMask = (1 << 9) - 1;

    private static readonly byte[][] s_utf8Names = FieldNames.All.Select(n => Encoding.UTF8.GetBytes(n)).ToArray();

    private static readonly (byte[] Utf8, string Text)[] s_channels =
        [.. new[] { "card_present", "online", "atm", "transfer" }.Select(c => (Encoding.UTF8.GetBytes(c), c))];

    // Shared instances for the categories a busy stream repeats millions of times; others are allocated per message.
    private static readonly (byte[] Utf8, string Text)[] s_categories =
        [.. new[]
        {
            "grocery", "restaurants", "fuel", "retail", "utilities", "pharmacy", "entertainment", "travel", "electronics",
            "online_services", "subscription", "crypto", "wire_transfer", "gift_cards", "cash_withdrawal", "p2p_transfer",
        }.Select(c => (Encoding.UTF8.GetBytes(c), c))];

    /// <summary>
    /// Decodes one payload. Never throws for any content of <paramref name="utf8"/>; only a null
    /// <paramref name="limits"/> throws.
    /// </summary>
    /// <param name="utf8">The message value as received.</param>
    /// <param name="limits">Size, depth and clock bounds.</param>
    public static DecodeResult<Transaction> Decode(ReadOnlySpan<byte> utf8, DecoderLimits limits) => Decode(utf8, limits, protector: null);

    /// <summary>
    /// Decodes one payload and protects it in the same pass: the transaction equals
    /// <see cref="PiiProtector.Protect"/> of what <see cref="Decode(ReadOnlySpan{byte}, DecoderLimits)"/> gives, with
    /// PII-like text in <see cref="Transaction.ExtraJson"/> masked (<see cref="PiiRedactor.RedactText"/>), without the
    /// intermediate transaction in clear. Rejections are the same. Never throws for any content of <paramref name="utf8"/>.
    /// </summary>
    /// <param name="utf8">The message value as received.</param>
    /// <param name="limits">Size, depth and clock bounds.</param>
    /// <param name="protector">Tokenises the card number and e-mail; null decodes them in clear.</param>
    public static DecodeResult<Transaction> Decode(ReadOnlySpan<byte> utf8, DecoderLimits limits, PiiProtector? protector)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return Decode(utf8, limits, protector, limits.Clock.GetUtcNow());
    }

    /// <summary>
    /// As <see cref="Decode(ReadOnlySpan{byte}, DecoderLimits, PiiProtector?)"/>, judging the event time against
    /// <paramref name="now"/> instead of reading <see cref="DecoderLimits.Clock"/>: a caller decoding a batch reads
    /// the clock once for all of it. Never throws for any content of <paramref name="utf8"/>.
    /// </summary>
    /// <param name="utf8">The message value as received.</param>
    /// <param name="limits">Size, depth and skew bounds (its clock is not read).</param>
    /// <param name="protector">Tokenises the card number and e-mail; null decodes them in clear.</param>
    /// <param name="now">The time the event time may lie at most <see cref="DecoderLimits.MaxFutureSkew"/> ahead of.</param>
    public static DecodeResult<Transaction> Decode(ReadOnlySpan<byte> utf8, DecoderLimits limits, PiiProtector? protector, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (JsonPayload.CheckEnvelope(ref utf8, limits) is { } envelope) return DecodeResult<Transaction>.Invalid(envelope);

        var reader = new Utf8JsonReader(utf8, JsonPayload.ReaderOptions(limits));
        try
        {
            return DecodeDocument(ref reader, utf8, limits, protector, now);
        }
        catch (JsonException)
        {
            return DecodeResult<Transaction>.Invalid(Rejections.NotJson);
        }
        catch (InvalidOperationException)
        {
            // Raised by the reader when unescaping a lone surrogate; UTF-8 itself was validated by the envelope check.
            return DecodeResult<Transaction>.Invalid(Rejections.InvalidStringEscape);
        }
    }

    private static DecodeResult<Transaction> DecodeDocument(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, DecoderLimits limits, PiiProtector? protector, DateTimeOffset now)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject) return DecodeResult<Transaction>.Invalid(NonObject(ref reader, utf8, limits));

        Span<byte> scratch = stackalloc byte[ScratchBytes];
        var values = default(Values);
        Rejection? schema = null;
        Rejection? rule = null;
        var seen = 0;
        var next = 0;
        HashSet<string>? unknownNames = null;
        ArrayBufferWriter<byte>? extraBuffer = null;
        Utf8JsonWriter? extra = null;
        try
        {
            // The reader throws on anything but a member name or the end of the object here, so the loop
            // ends exactly on the root's closing brace.
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Match(in reader, next);
                next = field + 1;
                string? unknownName = null;
                if (field == FieldNames.Unknown)
                {
                    if (JsonPayload.HasNul(in reader)) return DecodeResult<Transaction>.Invalid(Rejections.NulInUnknownMember);
                    unknownName = reader.GetString()!;
                    if (!(unknownNames ??= new HashSet<string>(StringComparer.Ordinal)).Add(unknownName))
                    {
                        return DecodeResult<Transaction>.Invalid(Rejections.DuplicateUnknownKey);
                    }
                }
                else
                {
                    var bit = 1 << field;
                    if ((seen & bit) != 0) return DecodeResult<Transaction>.Invalid(Rejections.DuplicateKey(FieldNames.All[field]));
                    seen |= bit;
                }

                reader.Read();
                if (field == FieldNames.Unknown || reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    var start = reader.TokenStartIndex;
                    var outcome = JsonPayload.SkipValue(ref reader, limits.MaxDepth);
                    if (outcome != JsonPayload.SkipOutcome.Ok) return DecodeResult<Transaction>.Invalid(JsonPayload.ToRejection(outcome, limits));
                    if (unknownName is null)
                    {
                        schema ??= WrongType(field);
                        continue;
                    }

                    if (extra is null)
                    {
                        extraBuffer = new ArrayBufferWriter<byte>();
                        extra = new Utf8JsonWriter(extraBuffer);
                        extra.WriteStartObject();
                    }

                    extra.WritePropertyName(unknownName);
                    extra.WriteRawValue(utf8[(int)start..(int)reader.BytesConsumed], skipInputValidation: true);
                    continue;
                }

                if (ReadField(ref reader, field, ref values, limits, now, protector, scratch) is { } error)
                {
                    if (error.Stage == RejectionStage.Schema) schema ??= error;
                    else rule ??= error;
                }
            }

            if (!JsonPayload.OnlyWhitespaceAfter(utf8, reader.BytesConsumed)) return DecodeResult<Transaction>.Invalid(Rejections.TrailingData);
            if (schema is not null) return DecodeResult<Transaction>.Invalid(schema);

            var missing = RequiredMask & ~values.Present;
            if (missing != 0) return DecodeResult<Transaction>.Invalid(Rejections.Missing(FieldNames.All[System.Numerics.BitOperations.TrailingZeroCount(missing)]));
            if (rule is not null) return DecodeResult<Transaction>.Invalid(rule);

            string? extraJson = null;
            if (extra is not null)
            {
                extra.WriteEndObject();
                extra.Flush();
                if (protector is null)
                {
                    extraJson = Encoding.UTF8.GetString(extraBuffer!.WrittenSpan);
                }
                else
                {
                    // Masked as bytes before the one conversion to text, not converted, re-encoded and converted again.
                    var written = extraBuffer!.WrittenSpan.ToArray();
                    PiiRedactor.RedactInPlace(written);
                    extraJson = Encoding.UTF8.GetString(written);
                }
            }

            var (card, last4, email) = protector is null ? (values.CardNumber, null, values.Email) : Protect(protector, in values);

            return DecodeResult<Transaction>.Valid(new Transaction
            {
                TransactionId = values.TransactionId!,
                AccountId = values.AccountId!,
                Timestamp = values.Timestamp,
                Amount = values.Amount,
                Currency = values.Currency!,
                MerchantId = values.MerchantId!,
                MerchantCategory = values.MerchantCategory!,
                Channel = values.Channel!,
                Country = values.Country!,
                CardNumber = card,
                CardLast4 = last4,
                Email = email,
                DeviceId = values.DeviceId,
                Lat = values.Lat,
                Lon = values.Lon,
                ExtraJson = extraJson,
            });
        }
        finally
        {
            extra?.Dispose();
        }
    }

    private static Rejection NonObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, DecoderLimits limits)
    {
        // Walk the whole value first: a broken or over-deep document is a decode failure, not a shape failure.
        var outcome = JsonPayload.SkipValue(ref reader, limits.MaxDepth);
        if (outcome != JsonPayload.SkipOutcome.Ok) return JsonPayload.ToRejection(outcome, limits);
        return JsonPayload.OnlyWhitespaceAfter(utf8, reader.BytesConsumed) ? Rejections.NotObject : Rejections.TrailingData;
    }

    // Producers write the members in contract order, so the member after the previous one is tried
    // first: one comparison per member instead of up to fourteen. Names are distinct, so the order of
    // the comparisons never changes the answer.
    private static int Match(in Utf8JsonReader reader, int expected)
    {
        if ((uint)expected < (uint)s_utf8Names.Length && reader.ValueTextEquals(s_utf8Names[expected])) return expected;
        for (var i = 0; i < s_utf8Names.Length; i++)
        {
            if (reader.ValueTextEquals(s_utf8Names[i])) return i;
        }

        return FieldNames.Unknown;
    }

    private static Rejection? ReadField(
        ref Utf8JsonReader reader, int field, ref Values values, DecoderLimits limits, DateTimeOffset now, PiiProtector? protector, scoped Span<byte> scratch)
    {
        var isNumber = field is FieldNames.Amount or FieldNames.Lat or FieldNames.Lon;
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != (isNumber ? JsonTokenType.Number : JsonTokenType.String)) return WrongType(field);
        values.Present |= 1 << field;

        switch (field)
        {
            case FieldNames.TransactionId:
                if (!JsonPayload.TryGetShortString(in reader, scratch, out var idText)
                    || !Utf8Parser.TryParse(idText, out Guid id, out var consumed, 'D') || consumed != idText.Length)
                {
                    return Rejections.InvalidUuid(FieldNames.All[field]);
                }

                values.TransactionId = id.ToString("D");
                return null;

            case FieldNames.AccountId:
                if (JsonPayload.HasNul(in reader)) return Rejections.Nul(FieldNames.All[field]);
                values.AccountId = reader.GetString()!;
                return values.AccountId.Length is >= 1 and <= MaxAccountIdLength
                    ? null
                    : Rejections.Rule(RejectionReasons.AccountIdLength, $"account_id must be 1 to {MaxAccountIdLength} characters");

            case FieldNames.Timestamp:
                var outcome = JsonPayload.TryGetShortString(in reader, scratch, out var tsText)
                    ? Rfc3339.TryParse(tsText, out values.Timestamp)
                    : Rfc3339.Outcome.Invalid;
                if (outcome != Rfc3339.Outcome.Ok) return Rejections.Timestamp(outcome, FieldNames.All[field]);
                return values.Timestamp > now + limits.MaxFutureSkew
                    ? Rejections.InFuture(FieldNames.All[field], limits.MaxFutureSkew)
                    : null;

            case FieldNames.Amount:
                // An overflowing literal such as 1e400 reads as infinity; NaN cannot be written in JSON at all.
                if (!reader.TryGetDouble(out values.Amount) || !double.IsFinite(values.Amount)) return Rejections.Rule(RejectionReasons.AmountNotFinite, "amount must be finite");
                return values.Amount > 0 ? null : Rejections.Rule(RejectionReasons.AmountNotPositive, "amount must be greater than zero");

            case FieldNames.Currency:
                values.Currency = JsonPayload.TryGetShortString(in reader, scratch, out var cur) ? CodeCache.Currency(cur) : null;
                return values.Currency is null
                    ? Rejections.Rule(RejectionReasons.InvalidCurrency, "currency must be three upper-case letters (ISO 4217)")
                    : null;

            case FieldNames.MerchantId:
                if (JsonPayload.HasNul(in reader)) return Rejections.Nul(FieldNames.All[field]);
                values.MerchantId = reader.GetString()!;
                return values.MerchantId.Length > 0 ? null : Rejections.Rule(RejectionReasons.MerchantIdEmpty, "merchant_id must not be empty");

            case FieldNames.MerchantCategory:
                if (JsonPayload.HasNul(in reader)) return Rejections.Nul(FieldNames.All[field]);
                values.MerchantCategory = Known(in reader, s_categories) ?? reader.GetString()!;
                return values.MerchantCategory.Length > 0
                    ? null
                    : Rejections.Rule(RejectionReasons.MerchantCategoryEmpty, "merchant_category must not be empty");

            case FieldNames.Channel:
                values.Channel = Known(in reader, s_channels);
                return values.Channel is null
                    ? Rejections.Rule(RejectionReasons.InvalidChannel, "channel must be one of card_present, online, atm, transfer")
                    : null;

            case FieldNames.Country:
                values.Country = JsonPayload.TryGetShortString(in reader, scratch, out var ctry) ? CodeCache.Country(ctry) : null;
                return values.Country is null
                    ? Rejections.Rule(RejectionReasons.InvalidCountry, "country must be two upper-case letters (ISO 3166 alpha-2)")
                    : null;

            case FieldNames.CardNumber:
                if (JsonPayload.HasNul(in reader)) return Rejections.Nul(FieldNames.All[field]);
                // Protected from the bytes where it can be: the number in clear never becomes a string.
                if (protector is not null && !reader.ValueIsEscaped && protector.TryProtectCardUtf8(reader.ValueSpan, out var cardToken, out var last4))
                {
                    (values.CardNumber, values.CardLast4, values.CardProtected) = (cardToken, last4, true);
                    return null;
                }

                values.CardNumber = reader.GetString();
                return null;

            case FieldNames.Email:
                if (JsonPayload.HasNul(in reader)) return Rejections.Nul(FieldNames.All[field]);
                if (protector is not null && !reader.ValueIsEscaped && protector.TryTokenizeEmailUtf8(reader.ValueSpan, out var emailToken))
                {
                    (values.Email, values.EmailProtected) = (emailToken, true);
                    return null;
                }

                values.Email = reader.GetString();
                return null;

            case FieldNames.DeviceId:
                if (JsonPayload.HasNul(in reader)) return Rejections.Nul(FieldNames.All[field]);
                values.DeviceId = reader.GetString();
                return null;

            case FieldNames.Lat:
                // The negated range test also rejects an overflowing literal, which reads as infinity.
                if (!reader.TryGetDouble(out var lat) || lat is < -90 or > 90)
                {
                    return Rejections.Rule(RejectionReasons.LatOutOfRange, "lat must be within [-90, 90]");
                }

                values.Lat = lat;
                return null;

            case FieldNames.Lon:
                if (!reader.TryGetDouble(out var lon) || lon is < -180 or > 180)
                {
                    return Rejections.Rule(RejectionReasons.LonOutOfRange, "lon must be within [-180, 180]");
                }

                values.Lon = lon;
                return null;

            default:
                throw new ArgumentOutOfRangeException(nameof(field), field, "not a contract field");
        }
    }

    // The fields ReadField protected from their bytes are final; the others (escaped or non-ASCII text) are protected here.
    private static (string? Card, string? Last4, string? Email) Protect(PiiProtector protector, in Values values)
    {
        if (values.CardProtected && values.EmailProtected) return (values.CardNumber, values.CardLast4, values.Email);
        var (card, last4, email) = protector.ProtectFields(values.CardProtected ? null : values.CardNumber, values.EmailProtected ? null : values.Email);
        return values.CardProtected ? (values.CardNumber, values.CardLast4, email) : (card, last4, values.EmailProtected ? values.Email : email);
    }

    private static string? Known(in Utf8JsonReader reader, (byte[] Utf8, string Text)[] table)
    {
        foreach (var (utf8, text) in table)
        {
            if (reader.ValueTextEquals(utf8)) return text;
        }

        return null;
    }

    private static Rejection WrongType(int field) => Rejections.WrongType(
        FieldNames.All[field],
        field is FieldNames.Amount ? "a number"
            : field is FieldNames.Lat or FieldNames.Lon ? "a number or null"
            : field is FieldNames.CardNumber or FieldNames.Email or FieldNames.DeviceId ? "a string or null"
            : "a string");

    /// <summary>The fields as they are read; a mutable struct on the stack so reading allocates nothing.</summary>
    private struct Values
    {
        public int Present;
        public string? TransactionId;
        public string? AccountId;
        public DateTimeOffset Timestamp;
        public double Amount;
        public string? Currency;
        public string? MerchantId;
        public string? MerchantCategory;
        public string? Channel;
        public string? Country;
        public string? CardNumber;

        // Set when ReadField tokenised the card from its bytes: CardNumber then holds the token, CardLast4 its digits.
        public bool CardProtected;
        public string? CardLast4;
        public string? Email;

        // Set when ReadField tokenised the e-mail from its bytes: Email then holds the token.
        public bool EmailProtected;
        public string? DeviceId;
        public double? Lat;
        public double? Lon;
    }
}
