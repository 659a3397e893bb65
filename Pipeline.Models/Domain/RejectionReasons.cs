namespace Pipeline.Models.Domain;

/// <summary>
/// The stable reason codes of <see cref="Rejection.Reason"/>. They are part of the quarantine contract:
/// dashboards and alerts group by them, so existing codes are never renamed.
/// </summary>
public static class RejectionReasons
{
    /// <summary>Decode: the payload has no bytes.</summary>
    public const string EmptyPayload = "empty_payload";

    /// <summary>Decode: the payload exceeds <see cref="DecoderLimits.MaxPayloadBytes"/>; checked before anything else.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>Decode: the bytes are not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid_utf8";

    /// <summary>Decode: the bytes are not one well-formed JSON value (NaN and Infinity literals included).</summary>
    public const string NotJson = "not_json";

    /// <summary>Decode: objects or arrays nest deeper than <see cref="DecoderLimits.MaxDepth"/>.</summary>
    public const string NestingTooDeep = "nesting_too_deep";

    /// <summary>Decode: a top-level member name occurs twice, so the payload has no single meaning.</summary>
    public const string DuplicateKey = "duplicate_key";

    /// <summary>Decode: something other than white space follows the JSON document.</summary>
    public const string TrailingData = "trailing_data";

    /// <summary>Decode: a string escape encodes an unpaired UTF-16 surrogate, which no database text type accepts.</summary>
    public const string InvalidStringEscape = "invalid_string_escape";

    /// <summary>Schema: the document is JSON but not an object.</summary>
    public const string NotObject = "not_object";

    /// <summary>Schema: a required field is absent or null.</summary>
    public const string MissingField = "missing_field";

    /// <summary>Schema: a field holds the wrong JSON type (for example an amount sent as a string).</summary>
    public const string WrongType = "wrong_type";

    /// <summary>Rule: a string contains U+0000, which PostgreSQL text and jsonb reject.</summary>
    public const string NulCharacter = "nul_character";

    /// <summary>Rule: transaction_id is not a UUID in 8-4-4-4-12 hexadecimal form.</summary>
    public const string InvalidUuid = "invalid_uuid";

    /// <summary>Rule: account_id is empty or longer than 64 characters.</summary>
    public const string AccountIdLength = "account_id_length";

    /// <summary>Rule: a timestamp is not an RFC 3339 date-time.</summary>
    public const string InvalidTimestamp = "invalid_timestamp";

    /// <summary>Rule: a timestamp is an RFC 3339 local date-time without Z or a numeric offset.</summary>
    public const string TimestampWithoutOffset = "timestamp_without_offset";

    /// <summary>Rule: a timestamp lies further in the future than <see cref="DecoderLimits.MaxFutureSkew"/>.</summary>
    public const string TimestampInFuture = "timestamp_in_future";

    /// <summary>Rule: amount overflows a double.</summary>
    public const string AmountNotFinite = "amount_not_finite";

    /// <summary>Rule: amount is zero or negative.</summary>
    public const string AmountNotPositive = "amount_not_positive";

    /// <summary>Rule: currency is not three upper-case ASCII letters.</summary>
    public const string InvalidCurrency = "invalid_currency";

    /// <summary>Rule: merchant_id is empty.</summary>
    public const string MerchantIdEmpty = "merchant_id_empty";

    /// <summary>Rule: merchant_category is empty.</summary>
    public const string MerchantCategoryEmpty = "merchant_category_empty";

    /// <summary>Rule: channel is not one of card_present, online, atm, transfer.</summary>
    public const string InvalidChannel = "invalid_channel";

    /// <summary>Rule: country is not two upper-case ASCII letters.</summary>
    public const string InvalidCountry = "invalid_country";

    /// <summary>Rule: lat is outside [-90, 90].</summary>
    public const string LatOutOfRange = "lat_out_of_range";

    /// <summary>Rule: lon is outside [-180, 180].</summary>
    public const string LonOutOfRange = "lon_out_of_range";
}
