using System.Text;

namespace Pipeline.Models.Domain;

/// <summary>
/// A validated transaction from the <c>transactions</c> topic (DESIGN §3.1). Instances are only
/// produced by the transaction decoder, so every required field holds a value that passed
/// the contract's rules. <see cref="CardNumber"/> and <see cref="Email"/> are PII: they are replaced
/// by keyed tokens before anything is stored or logged.
/// </summary>
public sealed record Transaction
{
    /// <summary>Unique id: UUID text in canonical lower-case 8-4-4-4-12 form (the decoder normalises upper-case input).</summary>
    public required string TransactionId { get; init; }

    /// <summary>Account key, 1–64 characters; also the Kafka message key.</summary>
    public required string AccountId { get; init; }

    /// <summary>Event time, with the offset the producer sent.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Positive, finite amount in <see cref="Currency"/>.</summary>
    public required double Amount { get; init; }

    /// <summary>ISO 4217 code, three upper-case letters.</summary>
    public required string Currency { get; init; }

    /// <summary>Merchant identifier.</summary>
    public required string MerchantId { get; init; }

    /// <summary>Merchant category such as grocery, travel, electronics, crypto, wire_transfer.</summary>
    public required string MerchantCategory { get; init; }

    /// <summary>One of card_present, online, atm, transfer.</summary>
    public required string Channel { get; init; }

    /// <summary>ISO 3166 alpha-2 country code, upper-case.</summary>
    public required string Country { get; init; }

    /// <summary>Card number in clear (PII) until the protection stage replaces it with a token.</summary>
    public string? CardNumber { get; init; }

    /// <summary>
    /// The last four digits of the card number, kept for operators once <see cref="CardNumber"/> holds a token;
    /// null before protection and when the card number does not look like a card number (12–19 digits).
    /// </summary>
    public string? CardLast4 { get; init; }

    /// <summary>E-mail in clear (PII) until the protection stage replaces it with a token.</summary>
    public string? Email { get; init; }

    /// <summary>Optional device identifier.</summary>
    public string? DeviceId { get; init; }

    /// <summary>Optional latitude in degrees.</summary>
    public double? Lat { get; init; }

    /// <summary>Optional longitude in degrees.</summary>
    public double? Lon { get; init; }

    /// <summary>Unknown fields kept verbatim as a JSON object text, or null when there were none.</summary>
    public string? ExtraJson { get; init; }

    // The compiler's record ToString would print CardNumber and Email; any log line or exception message that
    // includes a transaction must not carry them in clear, so they are only reported as present or absent.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("TransactionId = ").Append(TransactionId)
            .Append(", AccountId = ").Append(AccountId)
            .Append(", Timestamp = ").Append(Timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Amount = ").Append(Amount.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Currency = ").Append(Currency)
            .Append(", MerchantId = ").Append(MerchantId)
            .Append(", MerchantCategory = ").Append(MerchantCategory)
            .Append(", Channel = ").Append(Channel)
            .Append(", Country = ").Append(Country)
            .Append(", CardNumber = ").Append(CardNumber is null ? "null" : "***")
            .Append(", CardLast4 = ").Append(CardLast4 ?? "null")
            .Append(", Email = ").Append(Email is null ? "null" : "***")
            .Append(", DeviceId = ").Append(DeviceId ?? "null");
        return true;
    }
}
