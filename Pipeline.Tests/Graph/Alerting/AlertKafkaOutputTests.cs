using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Kafka;
using Pipeline.Models.Alerting;
using Pipeline.Tests.Graph.Kafka;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

[Trait("Category", "Integration")]
public sealed class AlertKafkaOutputTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly ActorMaterializer _materializer;

    public AlertKafkaOutputTests() => _materializer = Sys.Materializer();

    [Fact]
    public async Task Output_should_produce_each_alert_keyed_by_account_and_pass_every_element_in_order()
    {
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("anomaly-alerts", 2);
        var settings = ProducerSettings<string, string>.Create(KafkaTestConfig.Reference.GetConfig("pipeline.kafka.producer"), null, null)
            .WithBootstrapServers(kafka.BootstrapServers)
            .WithClientId("alerts-test");
        var alerts = new[] { AlertTestData.Alert(1, "acc-1"), AlertTestData.Alert(2, "acc-2") };
        var elements = new[]
        {
            new AlertedElement(AlertTestData.Element(0, AlertTestData.Scored(0, "acc-0", anomaly: false)), null),
            new AlertedElement(AlertTestData.Element(1, AlertTestData.Scored(1, "acc-1")), alerts[0]),
            new AlertedElement(AlertTestData.Element(2, AlertTestData.Scored(2, "acc-2")), alerts[1]),
        };

        var passed = await Source.From(elements)
            .Via(AlertKafkaOutput.Create(settings, topic))
            .RunWith(Sink.Seq<AlertedElement>(), _materializer)
            .WaitAsync(TimeSpan.FromSeconds(30));
        var records = MockKafka.ReadFromStart(kafka.BootstrapServers, topic, 2);

        Assert.Equal(elements, passed);
        Assert.Equal(["acc-1", "acc-2"], records.Select(r => r.Message.Key).Order());
        foreach (var record in records)
        {
            var alert = AlertJson.Deserialize(Encoding.UTF8.GetBytes(record.Message.Value));
            Assert.Equal(record.Message.Key, alert.AccountId);
            Assert.Equal(alert.AlertId.ToString("D"), Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes(AlertKafkaOutput.AlertIdHeader)));
            Assert.Contains(alert, alerts);
        }
    }

}
