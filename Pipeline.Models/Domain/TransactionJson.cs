using System.Buffers;
using System.Text.Json;

namespace Pipeline.Models.Domain;

/// <summary>
/// Writes a <see cref="Transaction"/> as the <c>transactions</c> payload of DESIGN §3.1: the contract's member
/// names in contract order, optional members omitted when null, the members of <see cref="Transaction.ExtraJson"/>
/// appended after them. <see cref="TransactionDecoder.Decode(ReadOnlySpan{byte}, DecoderLimits)"/> of the result gives an equal record.
/// </summary>
public static class TransactionJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = false };

    /// <summary>Serializes <paramref name="transaction"/> to UTF-8 JSON.</summary>
    /// <exception cref="ArgumentException">
    /// <see cref="Transaction.ExtraJson"/> is not a JSON object, or one of its members repeats a contract field.
    /// </exception>
    public static byte[] Serialize(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            w.WriteStartObject();
            w.WriteString(FieldNames.All[FieldNames.TransactionId], transaction.TransactionId);
            w.WriteString(FieldNames.All[FieldNames.AccountId], transaction.AccountId);
            // System.Text.Json writes ISO 8601 with the offset and only the significant fraction digits: RFC 3339.
            w.WriteString(FieldNames.All[FieldNames.Timestamp], transaction.Timestamp);
            w.WriteNumber(FieldNames.All[FieldNames.Amount], transaction.Amount);
            w.WriteString(FieldNames.All[FieldNames.Currency], transaction.Currency);
            w.WriteString(FieldNames.All[FieldNames.MerchantId], transaction.MerchantId);
            w.WriteString(FieldNames.All[FieldNames.MerchantCategory], transaction.MerchantCategory);
            w.WriteString(FieldNames.All[FieldNames.Channel], transaction.Channel);
            w.WriteString(FieldNames.All[FieldNames.Country], transaction.Country);
            if (transaction.CardNumber is { } card) w.WriteString(FieldNames.All[FieldNames.CardNumber], card);
            if (transaction.Email is { } email) w.WriteString(FieldNames.All[FieldNames.Email], email);
            if (transaction.DeviceId is { } device) w.WriteString(FieldNames.All[FieldNames.DeviceId], device);
            if (transaction.Lat is { } lat) w.WriteNumber(FieldNames.All[FieldNames.Lat], lat);
            if (transaction.Lon is { } lon) w.WriteNumber(FieldNames.All[FieldNames.Lon], lon);
            if (transaction.ExtraJson is { } extra) WriteExtraMembers(w, extra);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteExtraMembers(Utf8JsonWriter w, string extraJson)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(extraJson);
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ArgumentException("ExtraJson must be a JSON object", nameof(extraJson));
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (Array.IndexOf(FieldNames.All, name) >= 0)
                {
                    throw new ArgumentException($"ExtraJson repeats the contract field {name}", nameof(extraJson));
                }

                reader.Read();
                var start = reader.TokenStartIndex;
                reader.Skip();
                w.WritePropertyName(name);
                w.WriteRawValue(utf8.AsSpan((int)start, (int)(reader.BytesConsumed - start)), skipInputValidation: true);
            }

            if (reader.Read()) throw new ArgumentException("ExtraJson has data after its object", nameof(extraJson));
        }
        catch (JsonException e)
        {
            throw new ArgumentException("ExtraJson is not well-formed JSON", nameof(extraJson), e);
        }
    }
}
