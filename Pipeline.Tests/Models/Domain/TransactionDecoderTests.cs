using System.Text;
using Pipeline.Models.Domain;
using Xunit;
using static Pipeline.Tests.Models.Domain.DecoderTestData;

namespace Pipeline.Tests.Models.Domain;

public sealed class TransactionDecoderTests
{
    private static readonly Dictionary<string, (Func<byte[]> Payload, RejectionStage Stage, string Reason)> s_hostile = new()
    {
        ["not json"] = (() => "hello, world"u8.ToArray(), RejectionStage.Decode, RejectionReasons.NotJson),
        ["invalid utf-8"] = (() => Bytes(("merchant_id", "\"caf\u00e9\"")).Select(b => b == 0xC3 ? (byte)0xC3 : b == 0xA9 ? (byte)0x28 : b).ToArray(),
            RejectionStage.Decode, RejectionReasons.InvalidUtf8),
        ["5 MB payload"] = (() => Bytes(("padding", "\"" + new string('a', 5 * 1024 * 1024) + "\"")), RejectionStage.Decode, RejectionReasons.PayloadTooLarge),
        ["nesting depth 1000 in an unknown field"] = (() => Bytes(("deep", new string('[', 1000) + new string(']', 1000))),
            RejectionStage.Decode, RejectionReasons.NestingTooDeep),
        ["nesting depth 1000 at the root"] = (() => Encoding.UTF8.GetBytes(new string('[', 1000) + new string(']', 1000)),
            RejectionStage.Decode, RejectionReasons.NestingTooDeep),
        ["nesting depth 1000 in a contract field"] = (() => Bytes(("amount", new string('[', 1000) + new string(']', 1000))),
            RejectionStage.Decode, RejectionReasons.NestingTooDeep),
        ["duplicate contract key"] = (() => Bytes(("amount", "1"), ("amount", "1000000")), RejectionStage.Decode, RejectionReasons.DuplicateKey),
        ["duplicate key spelled with an escape"] = (() => Bytes(("\\u0061mount", "1000000")), RejectionStage.Decode, RejectionReasons.DuplicateKey),
        ["duplicate unknown key"] = (() => Bytes(("note", "1"), ("note", "2")), RejectionStage.Decode, RejectionReasons.DuplicateKey),
        ["NaN literal"] = (() => Bytes(("amount", "NaN")), RejectionStage.Decode, RejectionReasons.NotJson),
        ["Infinity literal"] = (() => Bytes(("amount", "Infinity")), RejectionStage.Decode, RejectionReasons.NotJson),
        ["comment"] = (() => Encoding.UTF8.GetBytes(Json().Replace("{", "{/* hi */", StringComparison.Ordinal)), RejectionStage.Decode, RejectionReasons.NotJson),
        ["trailing comma"] = (() => Encoding.UTF8.GetBytes(Json()[..^1] + ",}"), RejectionStage.Decode, RejectionReasons.NotJson),
        ["truncated"] = (() => Bytes()[..40], RejectionStage.Decode, RejectionReasons.NotJson),
        ["trailing garbage"] = (() => Encoding.UTF8.GetBytes(Json() + " garbage"), RejectionStage.Decode, RejectionReasons.TrailingData),
        ["second document"] = (() => Encoding.UTF8.GetBytes(Json() + Json()), RejectionStage.Decode, RejectionReasons.TrailingData),
        ["empty payload"] = (() => [], RejectionStage.Decode, RejectionReasons.EmptyPayload),
        ["only white space"] = (() => "  \n "u8.ToArray(), RejectionStage.Decode, RejectionReasons.NotJson),
        ["lone surrogate escape"] = (() => Bytes(("note", "\"\\ud800\"")), RejectionStage.Decode, RejectionReasons.InvalidStringEscape),
        ["broken JSON after a wrong type"] = (() => Encoding.UTF8.GetBytes("{\"amount\":\"12\",\"currency\":"), RejectionStage.Decode, RejectionReasons.NotJson),
        ["JSON array"] = (() => Encoding.UTF8.GetBytes("[" + Json() + "]"), RejectionStage.Schema, RejectionReasons.NotObject),
        ["JSON string"] = (() => "\"transaction\""u8.ToArray(), RejectionStage.Schema, RejectionReasons.NotObject),
        ["amount as string"] = (() => Bytes(("amount", "\"129.99\"")), RejectionStage.Schema, RejectionReasons.WrongType),
        ["amount as object"] = (() => Bytes(("amount", "{\"value\":1}")), RejectionStage.Schema, RejectionReasons.WrongType),
        ["card number as number"] = (() => Bytes(("card_number", "4000123412341234")), RejectionStage.Schema, RejectionReasons.WrongType),
        ["wrong type wins over a later rule"] = (() => Bytes(("currency", "\"eur\""), ("country", "7")), RejectionStage.Schema, RejectionReasons.WrongType),
        ["required field null"] = (() => Bytes(("merchant_id", "null")), RejectionStage.Schema, RejectionReasons.MissingField),
        ["amount -5"] = (() => Bytes(("amount", "-5")), RejectionStage.Rule, RejectionReasons.AmountNotPositive),
        ["amount 0"] = (() => Bytes(("amount", "0")), RejectionStage.Rule, RejectionReasons.AmountNotPositive),
        ["amount overflowing a double"] = (() => Bytes(("amount", "1e400")), RejectionStage.Rule, RejectionReasons.AmountNotFinite),
        ["timestamp without offset"] = (() => Bytes(("timestamp", "\"2024-01-01T10:00:00\"")), RejectionStage.Rule, RejectionReasons.TimestampWithoutOffset),
        ["timestamp a year ahead"] = (() => Bytes(("timestamp", "\"2025-06-01T12:00:00Z\"")), RejectionStage.Rule, RejectionReasons.TimestampInFuture),
        ["timestamp not a date"] = (() => Bytes(("timestamp", "\"yesterday\"")), RejectionStage.Rule, RejectionReasons.InvalidTimestamp),
        ["timestamp 30 February"] = (() => Bytes(("timestamp", "\"2024-02-30T10:00:00Z\"")), RejectionStage.Rule, RejectionReasons.InvalidTimestamp),
        ["timestamp date only"] = (() => Bytes(("timestamp", "\"2024-01-01\"")), RejectionStage.Rule, RejectionReasons.InvalidTimestamp),
        ["bad uuid"] = (() => Bytes(("transaction_id", "\"3f2a5c1e-8b7d-4e6f-9a0b\"")), RejectionStage.Rule, RejectionReasons.InvalidUuid),
        ["uuid in braces"] = (() => Bytes(("transaction_id", "\"{3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b}\"")), RejectionStage.Rule, RejectionReasons.InvalidUuid),
        ["bad channel"] = (() => Bytes(("channel", "\"mail_order\"")), RejectionStage.Rule, RejectionReasons.InvalidChannel),
        ["lowercase currency"] = (() => Bytes(("currency", "\"eur\"")), RejectionStage.Rule, RejectionReasons.InvalidCurrency),
        ["four-letter currency"] = (() => Bytes(("currency", "\"EURO\"")), RejectionStage.Rule, RejectionReasons.InvalidCurrency),
        ["three-letter country"] = (() => Bytes(("country", "\"DEU\"")), RejectionStage.Rule, RejectionReasons.InvalidCountry),
        ["account_id of 65 chars"] = (() => Bytes(("account_id", "\"" + new string('x', 65) + "\"")), RejectionStage.Rule, RejectionReasons.AccountIdLength),
        ["empty account_id"] = (() => Bytes(("account_id", "\"\"")), RejectionStage.Rule, RejectionReasons.AccountIdLength),
        ["empty merchant_id"] = (() => Bytes(("merchant_id", "\"\"")), RejectionStage.Rule, RejectionReasons.MerchantIdEmpty),
        ["empty merchant_category"] = (() => Bytes(("merchant_category", "\"\"")), RejectionStage.Rule, RejectionReasons.MerchantCategoryEmpty),
        ["lat 91"] = (() => Bytes(("lat", "91")), RejectionStage.Rule, RejectionReasons.LatOutOfRange),
        ["lon -180.5"] = (() => Bytes(("lon", "-180.5")), RejectionStage.Rule, RejectionReasons.LonOutOfRange),
        ["NUL in merchant_id"] = (() => Bytes(("merchant_id", "\"m\\u0000x\"")), RejectionStage.Rule, RejectionReasons.NulCharacter),
        ["NUL in email"] = (() => Bytes(("email", $"\"{Email}\\u0000\"")), RejectionStage.Rule, RejectionReasons.NulCharacter),
        ["NUL in an unknown field"] = (() => Bytes(("note", "{\"a\":\"\\u0000\"}")), RejectionStage.Rule, RejectionReasons.NulCharacter),
    };

    public static TheoryData<string> HostileCases => [.. s_hostile.Keys];

    public static TheoryData<string> RequiredFieldNames => [.. RequiredFields];

    [Fact]
    public void Decode_should_return_the_contract_record_when_payload_is_valid()
    {
        var result = TransactionDecoder.Decode(Bytes(), Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Expected, result.Value);
        Assert.Null(result.Rejection);
    }

    [Fact]
    public void Decode_should_return_the_contract_record_when_members_come_in_reverse_or_shuffled_order()
    {
        var members = Json()[1..^1].Split(",\"").Select((m, i) => i == 0 ? m : "\"" + m).ToArray();
        var reversed = "{" + string.Join(",", members.Reverse()) + "}";
        var shuffled = "{" + string.Join(",", members.Where((_, i) => i % 2 == 1).Concat(members.Where((_, i) => i % 2 == 0))) + ",\"note\":1}";

        var fromReversed = TransactionDecoder.Decode(Encoding.UTF8.GetBytes(reversed), Limits);
        var fromShuffled = TransactionDecoder.Decode(Encoding.UTF8.GetBytes(shuffled), Limits);

        Assert.Equal(Expected, fromReversed.Value);
        Assert.Equal(Expected with { ExtraJson = "{\"note\":1}" }, fromShuffled.Value);
    }

    [Fact]
    public void Decode_should_accept_nulls_when_optional_fields_are_null_or_absent()
    {
        var result = TransactionDecoder.Decode(
            Bytes(("card_number", "null"), ("email", null), ("device_id", "null"), ("lat", null), ("lon", "null")), Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Expected with { CardNumber = null, Email = null, DeviceId = null, Lat = null, Lon = null }, result.Value);
    }

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void Decode_should_reject_with_stage_and_reason_when_payload_is_hostile(string name)
    {
        var (payload, stage, reason) = s_hostile[name];

        var result = TransactionDecoder.Decode(payload(), Limits);

        Assert.False(result.IsValid);
        Assert.Equal((stage, reason), (result.Rejection.Stage, result.Rejection.Reason));
        Assert.DoesNotContain(CardNumber, result.Rejection.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, result.Rejection.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RequiredFieldNames))]
    public void Decode_should_reject_as_missing_field_when_a_required_field_is_absent(string field)
    {
        var result = TransactionDecoder.Decode(Bytes((field, null)), Limits);

        Assert.False(result.IsValid);
        Assert.Equal(RejectionStage.Schema, result.Rejection.Stage);
        Assert.Equal(RejectionReasons.MissingField, result.Rejection.Reason);
        Assert.Contains(field, result.Rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_should_never_put_card_number_or_email_in_the_detail_when_those_fields_are_bad()
    {
        var payloads = new[]
        {
            Bytes(("card_number", $"[\"{CardNumber}\"]")),
            Bytes(("email", $"{{\"v\":\"{Email}\"}}")),
            Bytes(("card_number", $"\"{CardNumber}\\u0000\"")),
            Bytes(("email", $"\"{Email}\""), ("email", $"\"{Email}\"")),
            Bytes(("account_id", $"\"{Email}{new string('x', 64)}\"")),
            Bytes(("merchant_id", $"\"{CardNumber}\""), ("channel", $"\"{Email}\"")),
            Bytes(("currency", $"\"{CardNumber}\"")),
            Bytes(("transaction_id", $"\"{CardNumber}\"")),
        };

        var details = payloads.Select(p => TransactionDecoder.Decode(p, Limits)).Select(r => r.Rejection!.Detail).ToList();

        Assert.All(details, d => Assert.DoesNotContain(CardNumber, d, StringComparison.Ordinal));
        Assert.All(details, d => Assert.DoesNotContain(Email, d, StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_should_keep_unknown_members_in_extra_json_when_payload_has_them()
    {
        var payload = Bytes(("loyalty", "{\"tier\":\"gold\",\"points\":[1,2.50,null]}"), ("note", "\"gift \\\"wrapped\\\"\""));

        var result = TransactionDecoder.Decode(payload, Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("{\"loyalty\":{\"tier\":\"gold\",\"points\":[1,2.50,null]},\"note\":\"gift \\\"wrapped\\\"\"}", result.Value.ExtraJson);
        Assert.Equal(Expected with { ExtraJson = result.Value.ExtraJson }, result.Value);
    }

    [Fact]
    public void Decode_should_leave_extra_json_null_when_payload_has_only_contract_fields()
    {
        var result = TransactionDecoder.Decode(Bytes(), Limits);

        Assert.Null(result.Value!.ExtraJson);
    }

    [Fact]
    public void Decode_should_normalise_the_uuid_to_lower_case_when_it_is_sent_in_upper_case()
    {
        var result = TransactionDecoder.Decode(Bytes(("transaction_id", "\"3F2A5C1E-8B7D-4E6F-9A0B-1C2D3E4F5A6B\"")), Limits);

        Assert.Equal("3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b", result.Value!.TransactionId);
    }

    [Fact]
    public void Decode_should_match_contract_fields_when_names_and_values_use_escapes()
    {
        var result = TransactionDecoder.Decode(Bytes(("currency", null), ("\\u0063urrency", "\"\\u0045UR\"")), Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("EUR", result.Value.Currency);
    }

    [Fact]
    public void Decode_should_accept_a_timestamp_within_the_future_skew()
    {
        var result = TransactionDecoder.Decode(Bytes(("timestamp", "\"2024-06-01T12:04:59Z\"")), Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Now.AddSeconds(299), result.Value.Timestamp);
    }

    [Fact]
    public void Decode_should_accept_the_payload_when_it_starts_with_a_byte_order_mark()
    {
        var result = TransactionDecoder.Decode([0xEF, 0xBB, 0xBF, .. Bytes()], Limits);

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Decode_should_accept_nesting_up_to_the_limit_and_reject_one_level_more()
    {
        var limits = Limits with { MaxDepth = 4 };
        var atLimit = Bytes(("nested", "[[[1]]]"));
        var overLimit = Bytes(("nested", "[[[[1]]]]"));

        var ok = TransactionDecoder.Decode(atLimit, limits);
        var rejected = TransactionDecoder.Decode(overLimit, limits);

        Assert.True(ok.IsValid, ok.ToString());
        Assert.Equal(RejectionReasons.NestingTooDeep, rejected.Rejection!.Reason);
    }

    [Fact]
    public void Decode_should_check_size_first_when_an_oversized_payload_is_not_even_utf8()
    {
        var payload = Enumerable.Repeat((byte)0xFF, 2_000_000).ToArray();

        var result = TransactionDecoder.Decode(payload, Limits);

        Assert.Equal(RejectionReasons.PayloadTooLarge, result.Rejection!.Reason);
    }

    [Fact]
    public void Decode_should_never_throw_when_payloads_are_randomly_mutated()
    {
        var rng = new Random(20240601);
        var seeds = new[] { Bytes(), Bytes(("extra", "{\"a\":[1,{\"b\":\"c\"}]}")), Bytes(("email", null), ("lat", null)) };
        var known = typeof(RejectionReasons).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var valid = 0;
        var reasons = new HashSet<string>();

        for (var i = 0; i < 20_000; i++)
        {
            var payload = Mutate(rng, seeds[i % seeds.Length]);

            var result = TransactionDecoder.Decode(payload, Limits);
            var label = TransactionLabelDecoder.Decode(payload, Limits);

            Assert.Equal(result.IsValid, result.Value is not null);
            Assert.Equal(label.IsValid, label.Value is not null);
            if (result.IsValid)
            {
                valid++;
                Assert.Equal(result.Value, TransactionDecoder.Decode(TransactionJson.Serialize(result.Value), Limits).Value);
            }
            else
            {
                Assert.Contains(result.Rejection.Reason, known);
                reasons.Add(result.Rejection.Reason);
                Assert.DoesNotContain(CardNumber, result.Rejection.Detail, StringComparison.Ordinal);
            }
        }

        // The mutations must exercise both outcomes and many reasons, or the test proves little.
        Assert.InRange(valid, 100, 19_000);
        Assert.True(reasons.Count >= 8, string.Join(",", reasons));
    }

    private static readonly string[] s_fragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "1e999", "-0", "NaN", "null", "true", "\"amount\":",
        "\"amount\":1,", "\u00e9", "\uffff", " ", "0.0000001", "\"extra\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],",
    ];

    private static byte[] Mutate(Random rng, byte[] seed)
    {
        var bytes = seed.ToList();
        var count = rng.Next(1, 5);
        for (var m = 0; m < count && bytes.Count > 0; m++)
        {
            var at = rng.Next(bytes.Count);
            switch (rng.Next(6))
            {
                case 0:
                    bytes[at] = (byte)rng.Next(256);
                    break;
                case 1:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(s_fragments[rng.Next(s_fragments.Length)]));
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(rng.Next(1, 12), bytes.Count - at));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    var length = Math.Min(rng.Next(1, 30), bytes.Count - at);
                    bytes.InsertRange(rng.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    if (bytes[at] is >= (byte)'0' and <= (byte)'9') bytes[at] = (byte)('0' + rng.Next(10));
                    else bytes[at] = (byte)"0123456789-+.eE"[rng.Next(15)];
                    break;
            }
        }

        return [.. bytes];
    }
}
