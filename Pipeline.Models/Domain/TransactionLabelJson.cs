using System.Buffers;
using System.Text.Json;

namespace Pipeline.Models.Domain;

/// <summary>
/// Writes a <see cref="TransactionLabel"/> as the <c>transaction-labels</c> payload of DESIGN §3.2;
/// <see cref="TransactionLabelDecoder.Decode"/> of the result gives an equal record.
/// </summary>
public static class TransactionLabelJson
{
    /// <summary>Serializes <paramref name="label"/> to UTF-8 JSON.</summary>
    public static byte[] Serialize(TransactionLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("transaction_id", label.TransactionId);
            w.WriteBoolean("is_fraud", label.IsFraud);
            w.WriteString("labelled_at", label.LabelledAt);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
