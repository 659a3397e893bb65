using System.Text;
using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Xunit;

namespace Pipeline.Tests.Graph.Ingest;

public sealed class DeadLetterFlowTests
{
    [Fact]
    public void ToRecord_should_carry_original_key_value_and_the_reason_headers()
    {
        var raw = "{\"amount\":-1}"u8.ToArray();
        var quarantined = IngestTestData.Quarantined(2, 41, raw);

        var record = DeadLetterFlow.ToRecord(quarantined, "transactions-dlq", 1_000_000);

        Assert.Equal("transactions-dlq", record.Topic);
        Assert.Equal(raw, record.Value);
        Assert.Equal("acct-000042"u8.ToArray(), record.Key);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["x-reason"] = "amount_not_positive",
                ["x-stage"] = "rule",
                ["x-detail"] = "amount must be positive",
                ["x-source-topic"] = "transactions",
                ["x-source-partition"] = "2",
                ["x-source-offset"] = "41",
                ["x-received-at"] = "2024-06-01T12:00:00.0000000Z",
            },
            Headers(record.Headers!));
    }

    [Fact]
    public void ToRecord_should_cut_the_value_and_say_so_when_it_exceeds_message_max_bytes()
    {
        var raw = new byte[50_000];
        var quarantined = IngestTestData.Quarantined(0, 1, raw);

        var record = DeadLetterFlow.ToRecord(quarantined, "dlq", 20_000);

        Assert.InRange(record.Value.Length + record.Key!.Length + record.Headers!.Sum(h => h.Key.Length + h.GetValueBytes().Length), 1, 20_000 - 512);
        Assert.Equal("50000", Headers(record.Headers!)[DeadLetterFlow.TruncatedFromHeader]);
    }

    [Fact]
    public void ToRecord_should_mark_the_record_when_its_bytes_were_already_masked()
    {
        var quarantined = IngestTestData.Quarantined(0, 1, "x"u8.ToArray()) with { Redacted = true };

        var record = DeadLetterFlow.ToRecord(quarantined, "dlq", 1_000_000);

        Assert.Equal("true", Headers(record.Headers!)[DeadLetterFlow.RedactedHeader]);
    }

    internal static Dictionary<string, string> Headers(Headers headers) =>
        headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()));
}
