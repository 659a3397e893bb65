namespace Pipeline.Models.Domain;

/// <summary>
/// The rejections the decoders produce. Details are built only from constants and contract field names, never
/// from payload values, which is what keeps PII out of logs and quarantine reasons.
/// </summary>
internal static class Rejections
{
    public static readonly Rejection EmptyPayload = new(RejectionStage.Decode, RejectionReasons.EmptyPayload, "payload is empty");
    public static readonly Rejection InvalidUtf8 = new(RejectionStage.Decode, RejectionReasons.InvalidUtf8, "payload is not valid UTF-8");
    public static readonly Rejection NotJson = new(RejectionStage.Decode, RejectionReasons.NotJson, "payload is not well-formed JSON");
    public static readonly Rejection TrailingData = new(RejectionStage.Decode, RejectionReasons.TrailingData, "data follows the JSON document");
    public static readonly Rejection InvalidStringEscape = new(RejectionStage.Decode, RejectionReasons.InvalidStringEscape, "a string escape encodes an unpaired surrogate");
    public static readonly Rejection DuplicateUnknownKey = new(RejectionStage.Decode, RejectionReasons.DuplicateKey, "an unknown member name occurs more than once");
    public static readonly Rejection NotObject = new(RejectionStage.Schema, RejectionReasons.NotObject, "payload is not a JSON object");
    public static readonly Rejection NulInUnknownMember = new(RejectionStage.Rule, RejectionReasons.NulCharacter, "an unknown member contains U+0000");

    public static Rejection PayloadTooLarge(int max) =>
        new(RejectionStage.Decode, RejectionReasons.PayloadTooLarge, $"payload exceeds {max} bytes");

    public static Rejection NestingTooDeep(int max) =>
        new(RejectionStage.Decode, RejectionReasons.NestingTooDeep, $"JSON nests deeper than {max} levels");

    public static Rejection DuplicateKey(string field) =>
        new(RejectionStage.Decode, RejectionReasons.DuplicateKey, $"{field} occurs more than once");

    public static Rejection Missing(string field) =>
        new(RejectionStage.Schema, RejectionReasons.MissingField, $"{field} is required");

    public static Rejection WrongType(string field, string expected) =>
        new(RejectionStage.Schema, RejectionReasons.WrongType, $"{field} must be {expected}");

    public static Rejection Rule(string reason, string detail) => new(RejectionStage.Rule, reason, detail);

    public static Rejection Nul(string field) =>
        new(RejectionStage.Rule, RejectionReasons.NulCharacter, $"{field} contains U+0000");

    public static Rejection Timestamp(Rfc3339.Outcome outcome, string field) => outcome == Rfc3339.Outcome.MissingOffset
        ? Rule(RejectionReasons.TimestampWithoutOffset, $"{field} must carry Z or a numeric UTC offset (RFC 3339)")
        : Rule(RejectionReasons.InvalidTimestamp, $"{field} must be an RFC 3339 date-time");

    public static Rejection InFuture(string field, TimeSpan skew) =>
        Rule(RejectionReasons.TimestampInFuture, $"{field} is more than {skew.TotalSeconds:0} s ahead of the clock");

    public static Rejection InvalidUuid(string field) =>
        Rule(RejectionReasons.InvalidUuid, $"{field} must be a UUID (8-4-4-4-12 hexadecimal)");
}
