using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.Models.Domain;

/// <summary>
/// Turns the bytes of a <c>transaction-labels</c> message (DESIGN §3.2,
/// <c>{ "transaction_id", "is_fraud": bool, "labelled_at": RFC 3339 }</c>) into a <see cref="TransactionLabel"/>
/// or a <see cref="Rejection"/>, with the same hostile-input guarantees and stage order as
/// <see cref="TransactionDecoder"/>. Unknown members are checked (depth, duplicates, U+0000) and then ignored,
/// because a label has nowhere to keep them.
/// </summary>
public static class TransactionLabelDecoder
{
    private const string TransactionIdName = "transaction_id";
    private const string IsFraudName = "is_fraud";
    private const string LabelledAtName = "labelled_at";
    private const int TransactionIdBit = 1;
    private const int IsFraudBit = 2;
    private const int LabelledAtBit = 4;
    private const int ScratchBytes = 64;

    /// <summary>
    /// Decodes one payload. Never throws for any content of <paramref name="utf8"/>; only a null
    /// <paramref name="limits"/> throws.
    /// </summary>
    /// <param name="utf8">The message value as received.</param>
    /// <param name="limits">Size, depth and clock bounds; <c>labelled_at</c> obeys the future-skew rule.</param>
    public static DecodeResult<TransactionLabel> Decode(ReadOnlySpan<byte> utf8, DecoderLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (JsonPayload.CheckEnvelope(ref utf8, limits) is { } envelope) return DecodeResult<TransactionLabel>.Invalid(envelope);

        var reader = new Utf8JsonReader(utf8, JsonPayload.ReaderOptions(limits));
        try
        {
            return DecodeDocument(ref reader, utf8, limits);
        }
        catch (JsonException)
        {
            return DecodeResult<TransactionLabel>.Invalid(Rejections.NotJson);
        }
        catch (InvalidOperationException)
        {
            return DecodeResult<TransactionLabel>.Invalid(Rejections.InvalidStringEscape);
        }
    }

    private static DecodeResult<TransactionLabel> DecodeDocument(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, DecoderLimits limits)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var outcome = JsonPayload.SkipValue(ref reader, limits.MaxDepth);
            if (outcome != JsonPayload.SkipOutcome.Ok) return DecodeResult<TransactionLabel>.Invalid(JsonPayload.ToRejection(outcome, limits));
            return DecodeResult<TransactionLabel>.Invalid(
                JsonPayload.OnlyWhitespaceAfter(utf8, reader.BytesConsumed) ? Rejections.NotObject : Rejections.TrailingData);
        }

        Span<byte> scratch = stackalloc byte[ScratchBytes];
        Rejection? schema = null;
        Rejection? rule = null;
        var seen = 0;
        var present = 0;
        HashSet<string>? unknownNames = null;
        string? transactionId = null;
        var isFraud = false;
        var labelledAt = default(DateTimeOffset);

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var (bit, name) = reader.ValueTextEquals(TransactionIdName) ? (TransactionIdBit, TransactionIdName)
                : reader.ValueTextEquals(IsFraudName) ? (IsFraudBit, IsFraudName)
                : reader.ValueTextEquals(LabelledAtName) ? (LabelledAtBit, LabelledAtName)
                : (0, null);
            if (bit == 0)
            {
                if (JsonPayload.HasNul(in reader)) return DecodeResult<TransactionLabel>.Invalid(Rejections.NulInUnknownMember);
                if (!(unknownNames ??= new HashSet<string>(StringComparer.Ordinal)).Add(reader.GetString()!))
                {
                    return DecodeResult<TransactionLabel>.Invalid(Rejections.DuplicateUnknownKey);
                }
            }
            else
            {
                if ((seen & bit) != 0) return DecodeResult<TransactionLabel>.Invalid(Rejections.DuplicateKey(name!));
                seen |= bit;
            }

            reader.Read();
            if (bit == 0 || reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                var outcome = JsonPayload.SkipValue(ref reader, limits.MaxDepth);
                if (outcome != JsonPayload.SkipOutcome.Ok) return DecodeResult<TransactionLabel>.Invalid(JsonPayload.ToRejection(outcome, limits));
                if (bit != 0) schema ??= WrongType(name!);
                continue;
            }

            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (bit)
            {
                case TransactionIdBit when reader.TokenType == JsonTokenType.String:
                    present |= bit;
                    if (JsonPayload.TryGetShortString(in reader, scratch, out var idText)
                        && Utf8Parser.TryParse(idText, out Guid id, out var consumed, 'D') && consumed == idText.Length)
                    {
                        transactionId = id.ToString("D");
                    }
                    else
                    {
                        rule ??= Rejections.InvalidUuid(name!);
                    }

                    break;

                case IsFraudBit when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                    present |= bit;
                    isFraud = reader.TokenType == JsonTokenType.True;
                    break;

                case LabelledAtBit when reader.TokenType == JsonTokenType.String:
                    present |= bit;
                    var outcome = JsonPayload.TryGetShortString(in reader, scratch, out var tsText)
                        ? Rfc3339.TryParse(tsText, out labelledAt)
                        : Rfc3339.Outcome.Invalid;
                    if (outcome != Rfc3339.Outcome.Ok) rule ??= Rejections.Timestamp(outcome, name!);
                    else if (labelledAt > limits.Clock.GetUtcNow() + limits.MaxFutureSkew) rule ??= Rejections.InFuture(name!, limits.MaxFutureSkew);
                    break;

                default:
                    schema ??= WrongType(name!);
                    break;
            }
        }

        if (!JsonPayload.OnlyWhitespaceAfter(utf8, reader.BytesConsumed)) return DecodeResult<TransactionLabel>.Invalid(Rejections.TrailingData);
        if (schema is not null) return DecodeResult<TransactionLabel>.Invalid(schema);
        if ((present & TransactionIdBit) == 0) return DecodeResult<TransactionLabel>.Invalid(Rejections.Missing(TransactionIdName));
        if ((present & IsFraudBit) == 0) return DecodeResult<TransactionLabel>.Invalid(Rejections.Missing(IsFraudName));
        if ((present & LabelledAtBit) == 0) return DecodeResult<TransactionLabel>.Invalid(Rejections.Missing(LabelledAtName));
        if (rule is not null) return DecodeResult<TransactionLabel>.Invalid(rule);

        return DecodeResult<TransactionLabel>.Valid(new TransactionLabel(transactionId!, isFraud, labelledAt));
    }

    private static Rejection WrongType(string name) =>
        Rejections.WrongType(name, name == IsFraudName ? "true or false" : "a string");
}
