using System.Text;
using Pipeline.Models.Domain;
using Xunit;
using static Pipeline.Tests.Models.Domain.DecoderTestData;

namespace Pipeline.Tests.Models.Domain;

public sealed class TransactionLabelDecoderTests
{
    private const string Id = "3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b";

    public static TheoryData<string, RejectionStage, string> InvalidLabels => new()
    {
        { "", RejectionStage.Decode, RejectionReasons.EmptyPayload },
        { "{\"transaction_id\":", RejectionStage.Decode, RejectionReasons.NotJson },
        { $"{{\"transaction_id\":\"{Id}\",\"transaction_id\":\"{Id}\",\"is_fraud\":true,\"labelled_at\":\"2024-06-01T10:00:00Z\"}}", RejectionStage.Decode, RejectionReasons.DuplicateKey },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":true,\"labelled_at\":\"2024-06-01T10:00:00Z\"}}x", RejectionStage.Decode, RejectionReasons.TrailingData },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":true,\"labelled_at\":\"2024-06-01T10:00:00Z\",\"x\":{new string('[', 1000)}{new string(']', 1000)}}}", RejectionStage.Decode, RejectionReasons.NestingTooDeep },
        { "[true]", RejectionStage.Schema, RejectionReasons.NotObject },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":\"yes\",\"labelled_at\":\"2024-06-01T10:00:00Z\"}}", RejectionStage.Schema, RejectionReasons.WrongType },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":1,\"labelled_at\":\"2024-06-01T10:00:00Z\"}}", RejectionStage.Schema, RejectionReasons.WrongType },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":true}}", RejectionStage.Schema, RejectionReasons.MissingField },
        { "{\"is_fraud\":true,\"labelled_at\":\"2024-06-01T10:00:00Z\"}", RejectionStage.Schema, RejectionReasons.MissingField },
        { $"{{\"transaction_id\":\"{Id}\",\"labelled_at\":\"2024-06-01T10:00:00Z\"}}", RejectionStage.Schema, RejectionReasons.MissingField },
        { $"{{\"transaction_id\":\"not-a-uuid\",\"is_fraud\":true,\"labelled_at\":\"2024-06-01T10:00:00Z\"}}", RejectionStage.Rule, RejectionReasons.InvalidUuid },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":true,\"labelled_at\":\"2024-06-01T10:00:00\"}}", RejectionStage.Rule, RejectionReasons.TimestampWithoutOffset },
        { $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":true,\"labelled_at\":\"2025-06-01T10:00:00Z\"}}", RejectionStage.Rule, RejectionReasons.TimestampInFuture },
    };

    [Fact]
    public void Decode_should_return_the_label_when_payload_is_valid()
    {
        var payload = $"{{\"transaction_id\":\"{Id}\",\"is_fraud\":true,\"labelled_at\":\"2024-06-01T06:00:00-04:00\",\"source\":\"chargeback\"}}";

        var result = TransactionLabelDecoder.Decode(Encoding.UTF8.GetBytes(payload), Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(new TransactionLabel(Id, true, new DateTimeOffset(2024, 6, 1, 6, 0, 0, TimeSpan.FromHours(-4))), result.Value);
    }

    [Theory]
    [MemberData(nameof(InvalidLabels))]
    public void Decode_should_reject_with_stage_and_reason_when_label_is_invalid(string payload, RejectionStage stage, string reason)
    {
        var result = TransactionLabelDecoder.Decode(Encoding.UTF8.GetBytes(payload), Limits);

        Assert.False(result.IsValid);
        Assert.Equal((stage, reason), (result.Rejection.Stage, result.Rejection.Reason));
    }

    [Fact]
    public void Serialize_should_round_trip_through_decode_when_label_is_valid()
    {
        var label = new TransactionLabel(Id, false, new DateTimeOffset(2024, 5, 31, 23, 59, 59, 123, TimeSpan.Zero));

        var result = TransactionLabelDecoder.Decode(TransactionLabelJson.Serialize(label), Limits);

        Assert.Equal(label, result.Value);
    }
}
