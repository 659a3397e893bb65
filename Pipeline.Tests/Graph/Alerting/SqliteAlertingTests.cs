using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary>The embedded default: alerts in SQLite, delivered to the console through the outbox.</summary>
public sealed class SqliteAlertingTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sqlite-alerts-");
    private readonly ActorMaterializer _materializer;
    private readonly AlertMetrics _metrics = new(new CollectorRegistry());

    public SqliteAlertingTests() => _materializer = Sys.Materializer();

    void IDisposable.Dispose()
    {
        Shutdown();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Console_delivery_should_print_each_alert_once_as_a_json_line_when_records_are_replayed()
    {
        var path = Path.Combine(_dir.FullName, "pipeline.db");
        var settings = AlertTestData.FastSettings(extra: "pipeline.alerting.console.enabled = on");
        var output = new StringWriter();
        var elements = new PipelineElement[]
        {
            AlertTestData.Element(0, AlertTestData.Scored(0, "acc-1")),
            AlertTestData.Element(1, AlertTestData.Scored(1, "acc-2", anomaly: false)),
            AlertTestData.Element(2, AlertTestData.Scored(2, "acc-3", severity: "LOW", score: 0.71)),
        };

        await using (var store = new SqliteAlertStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            await RunFlow(store, settings, elements);
            await RunFlow(store, settings, elements);
            var control = AlertDelivery.Create(store, new ConsoleChannel(output), settings, _metrics, TimeProvider.System, new CapturingLog(), "embedded").Run(_materializer);
            await WaitUntil(() => _metrics.Deliveries(AlertChannelNames.Console, AlertMetrics.Delivered) >= 2);
            await control.StopAsync(TimeSpan.FromSeconds(5));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var printed = lines.Select(l => Pipeline.Models.Alerting.AlertJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(l))).ToList();
        Assert.Equal(["acc-1", "acc-3"], printed.Select(a => a.AccountId));
        Assert.DoesNotContain("card", output.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cooldown_should_survive_reopening_the_sqlite_file()
    {
        var path = Path.Combine(_dir.FullName, "cooldown.db");
        var settings = AlertTestData.Settings("pipeline.alerting { cooldown = 10m, dedupe-window = 1m }");

        await using (var store = new SqliteAlertStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            await RunFlow(store, settings, [AlertTestData.Element(0, AlertTestData.Scored(0, "acc-1", at: TimeSpan.Zero))]);
        }

        IReadOnlyList<PipelineElement> second;
        await using (var store = new SqliteAlertStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            second = await RunFlow(store, settings, [AlertTestData.Element(1, AlertTestData.Scored(1, "acc-1", at: TimeSpan.FromMinutes(5)))]);
            Assert.Empty(await store.ClaimAsync(AlertChannelNames.Slack, "x", 10, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), CancellationToken.None));
            var console = await store.ClaimAsync(AlertChannelNames.Console, "x", 10, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), CancellationToken.None);
            Assert.Equal(AlertTestData.Scored(0, "acc-1").TransactionId, Assert.Single(console).Alert.TransactionId);
        }

        Assert.Single(second);
        Assert.Equal(1, _metrics.Suppressed("cooldown"));
    }

    private async Task<IReadOnlyList<PipelineElement>> RunFlow(IAlertStore store, AlertingSettings settings, IReadOnlyList<PipelineElement> elements) =>
        await Source.From(elements)
            .Via(AlertFlow.Create(store, settings, _metrics, TimeProvider.System, new CapturingLog()))
            .RunWith(Sink.Seq<PipelineElement>(), _materializer)
            .WaitAsync(Deadline);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within the deadline");
            await Task.Delay(20);
        }
    }
}
