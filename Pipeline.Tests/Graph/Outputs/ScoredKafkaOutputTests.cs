using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Outputs;
using Pipeline.Tests.Graph.Alerting;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Graph.Outputs;

[Trait("Category", "Integration")]
public sealed class ScoredKafkaOutputTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Output_should_produce_each_scored_transaction_keyed_by_account_as_json_and_pass_every_element_in_order()
    {
        // Arrange: three scored rows and a skipped duplicate between them (no record, offset passes).
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("scored-transactions", 2);
        var settings = KafkaOutputTestKit.Settings(kafka.BootstrapServers, topic, "unused");
        var rows = new[] { AlertTestData.Scored(0, "acc-0", anomaly: false), AlertTestData.Scored(1, "acc-1"), AlertTestData.Scored(2, "acc-0") };
        PipelineElement[] elements =
        [
            AlertTestData.Element(0, rows[0]),
            new SkippedRecord(AlertTestData.Offset(1), AlertTestData.T0, SkippedRecord.Duplicate, "dup"),
            AlertTestData.Element(2, rows[1]),
            AlertTestData.Element(3, rows[2]),
        ];

        // Act
        var passed = await Source.From(elements)
            .Via(ScoredKafkaOutput.Create(settings.ScoredProducer, settings.ScoredTopic))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(30));
        var records = MockKafka.ReadFromStart(kafka.BootstrapServers, topic, 3);

        // Assert
        Assert.Equal(elements, passed);
        Assert.Equal(3, records.Count);
        Assert.Equal(["acc-0", "acc-0", "acc-1"], records.Select(r => r.Message.Key).Order());
        foreach (var record in records)
        {
            using var json = JsonDocument.Parse(record.Message.Value);
            var root = json.RootElement;
            var row = rows.Single(r => r.TransactionId == root.GetProperty("transaction_id").GetString());
            Assert.Equal(record.Message.Key, root.GetProperty("account_id").GetString());
            Assert.Equal(row.Timestamp, root.GetProperty("timestamp").GetDateTimeOffset());
            Assert.Equal(row.Timestamp.ToUnixTimeMilliseconds(), record.Message.Timestamp.UnixTimestampMs);
            Assert.Equal(row.Amount, root.GetProperty("amount").GetDouble());
            Assert.Equal(row.Currency, root.GetProperty("currency").GetString());
            Assert.Equal(row.Score, root.GetProperty("score").GetDouble());
            Assert.Equal(row.IsAnomaly, root.GetProperty("is_anomaly").GetBoolean());
            Assert.Equal(row.Severity, root.GetProperty("severity").GetString());
            Assert.Equal(row.Threshold, root.GetProperty("threshold").GetDouble());
            Assert.Equal(row.ModelVersion, root.GetProperty("model_version").GetString());
            Assert.False(root.GetProperty("late").GetBoolean());
            Assert.Equal(0.9, root.GetProperty("features").GetProperty("amount").GetDouble());
            Assert.Equal(row.Reasons, root.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());
        }
    }

    [Fact]
    public void Json_should_write_a_non_finite_feature_as_null_when_it_could_not_be_computed()
    {
        var row = AlertTestData.Scored(5, "acc-5") with { Features = new Dictionary<string, double> { ["amount_zscore"] = double.NaN, ["amount"] = 0.5 } };

        using var json = JsonDocument.Parse(ScoredTransactionJson.Serialize(row));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("features").GetProperty("amount_zscore").ValueKind);
        Assert.Equal(0.5, json.RootElement.GetProperty("features").GetProperty("amount").GetDouble());
    }
}
