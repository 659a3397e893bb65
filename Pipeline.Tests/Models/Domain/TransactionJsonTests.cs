using System.Text;
using System.Text.Json;
using Pipeline.Models.Domain;
using Xunit;
using static Pipeline.Tests.Models.Domain.DecoderTestData;

namespace Pipeline.Tests.Models.Domain;

public sealed class TransactionJsonTests
{
    [Fact]
    public void Serialize_should_round_trip_through_decode_when_every_field_is_set()
    {
        var transaction = Expected with { ExtraJson = "{\"loyalty\":{\"tier\":\"gold\"},\"n\":[1,2]}" };

        var result = TransactionDecoder.Decode(TransactionJson.Serialize(transaction), Limits);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(transaction, result.Value);
        Assert.Equal(transaction.Timestamp.Offset, result.Value.Timestamp.Offset);
    }

    [Fact]
    public void Serialize_should_omit_optional_members_when_they_are_null()
    {
        var transaction = Expected with { CardNumber = null, Email = null, DeviceId = null, Lat = null, Lon = null };

        var json = TransactionJson.Serialize(transaction);
        using var doc = JsonDocument.Parse(json);

        Assert.Equal(RequiredFields, doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(transaction, TransactionDecoder.Decode(json, Limits).Value);
    }

    [Fact]
    public void Serialize_should_keep_amount_precision_when_amount_has_many_digits()
    {
        var transaction = Expected with { Amount = 0.1 + 0.2, Lat = -33.868820001, Lon = 151.209295 };

        var result = TransactionDecoder.Decode(TransactionJson.Serialize(transaction), Limits);

        Assert.Equal(transaction.Amount, result.Value!.Amount);
        Assert.Equal(transaction.Lat, result.Value.Lat);
    }

    [Fact]
    public void Serialize_should_write_an_rfc3339_timestamp_with_offset()
    {
        var json = Encoding.UTF8.GetString(TransactionJson.Serialize(Expected));

        Assert.Contains("\"timestamp\":\"2024-06-01T11:59:30.25+02:00\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"amount\":5}")]
    [InlineData("{\"a\":")]
    public void Serialize_should_throw_when_extra_json_is_not_an_object_of_unknown_members(string extra)
    {
        Assert.Throws<ArgumentException>(() => TransactionJson.Serialize(Expected with { ExtraJson = extra }));
    }
}
