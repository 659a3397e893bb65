using System.Text;
using System.Text.Json;
using Akka.Event;
using Akka.Streams;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Outputs;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Outputs;

[Trait("Category", "Integration")]
public sealed class DriftEventPublisherTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Publisher_should_produce_every_drift_event_keyed_by_detector_as_json_when_stopped_after_publishing()
    {
        // Arrange
        using var kafka = MockKafka.Start();
        var topic = kafka.CreateTopic("drift-events", 2);
        var settings = KafkaOutputTestKit.Settings(kafka.BootstrapServers, "unused", topic);
        var events = new[]
        {
            new DriftEvent(T0, "adwin", "score", 0.61, "window 512, detections 1"),
            new DriftEvent(T0.AddSeconds(5), "ddm", "label_error", 0.083, "error rate 0.0830 over 900 labelled decisions"),
            new DriftEvent(T0.AddSeconds(9), "adwin", "amount_zscore", double.NaN, "window 64, detections 2"),
        };
        var publisher = DriftEventPublisher.Start(settings, Sys.Materializer(), Logging.GetLogger(Sys, "drift-test"), new CollectorRegistry());

        // Act: stopping hands over and flushes what was queued.
        var accepted = events.Select(e => publisher.Publish(e, "7")).ToList();
        await publisher.DisposeAsync();
        var records = MockKafka.ReadFromStart(kafka.BootstrapServers, topic, 3);

        // Assert
        Assert.All(accepted, Assert.True);
        Assert.False(publisher.Publish(events[0], "7"));
        Assert.Equal(0, publisher.Dropped);
        Assert.Equal(3, records.Count);
        // One detector's events keep their order in its partition.
        Assert.Equal(["score", "amount_zscore"], records.Where(r => r.Message.Key == "adwin").Select(r => Signal(r.Message.Value)));
        foreach (var record in records)
        {
            using var json = JsonDocument.Parse(record.Message.Value);
            var root = json.RootElement;
            var drift = events.Single(e => e.Signal == root.GetProperty("signal").GetString());
            Assert.Equal(drift.Detector, record.Message.Key);
            Assert.Equal(drift.Detector, root.GetProperty("detector").GetString());
            Assert.Equal(drift.Signal, Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(DriftEventPublisher.SignalHeader)));
            Assert.Equal(drift.Timestamp, root.GetProperty("detected_at").GetDateTimeOffset());
            Assert.Equal(drift.Timestamp.ToUnixTimeMilliseconds(), record.Message.Timestamp.UnixTimestampMs);
            Assert.Equal(drift.Details, root.GetProperty("details").GetString());
            Assert.Equal("7", root.GetProperty("model_version").GetString());
            if (double.IsFinite(drift.Value)) Assert.Equal(drift.Value, root.GetProperty("value").GetDouble());
            else Assert.Equal(JsonValueKind.Null, root.GetProperty("value").ValueKind);
        }
    }

    [Fact]
    public async Task Publisher_should_drop_the_oldest_events_and_count_them_when_the_broker_is_unreachable()
    {
        // Arrange: nothing listens on the port, so nothing leaves the queue's head.
        var settings = KafkaOutputTestKit.Settings($"127.0.0.1:{FreePort.Next()}", "unused", "drift-events", "pipeline.outputs.drift.buffer-size = 2")
            with { DriftProducer = KafkaOutputTestKit.Settings($"127.0.0.1:{FreePort.Next()}", "unused", "drift-events").DriftProducer.WithParallelism(1).WithProperty("message.timeout.ms", "1000") };
        var registry = new CollectorRegistry();
        var publisher = DriftEventPublisher.Start(settings, Sys.Materializer(), Logging.GetLogger(Sys, "drift-test"), registry);

        // Act: a few records sit in the stream's small buffers and the queue holds two; the rest push the oldest out.
        var accepted = Enumerable.Range(0, 200).Select(i => publisher.Publish(new DriftEvent(T0.AddSeconds(i), "adwin", "score", 0.5, $"event {i}"), "1")).ToList();
        var dropped = publisher.Dropped;
        await publisher.DisposeAsync();

        // Assert: publishing never blocked or refused; the overflow was dropped and counted.
        Assert.All(accepted, Assert.True);
        Assert.InRange(dropped, 100, 198);
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer);
        Assert.Contains("pipeline_drift_events_dropped_total{topic=\"drift-events\"} " + dropped.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Signal(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("signal").GetString()!;
    }
}
