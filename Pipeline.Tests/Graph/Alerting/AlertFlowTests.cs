using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Alerting;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.TestKit;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

[Trait("Category", "Integration")]
public sealed class AlertFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly ActorMaterializer _materializer;
    private readonly AlertMetrics _metrics = new(new CollectorRegistry());

    public AlertFlowTests() => _materializer = Sys.Materializer();

    [Fact]
    public async Task Flow_should_write_each_alert_with_one_outbox_row_per_channel_before_it_emits_the_element()
    {
        var db = await AlertTestData.CreateDatabaseAsync();
        await using var store = new PostgresAlertStore(db);
        await store.InitializeAsync(CancellationToken.None);
        var settings = AlertTestData.Settings("""
            pipeline.alerting.slack.webhook-url = "https://hooks.example.org/services/x"
            """);
        var (pub, sub) = TestSource.Probe<PipelineElement>(this)
            .Via(AlertFlow.Create(store, settings, _metrics, TimeProvider.System, AlertTestData.Log()))
            .ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both)
            .Run(_materializer);

        await sub.RequestAsync(3);
        await pub.SendNextAsync(AlertTestData.Element(0, AlertTestData.Scored(0, "acc-1", anomaly: false)));
        await pub.SendNextAsync(AlertTestData.Element(1, AlertTestData.Scored(1, "acc-1")));
        var calm = await sub.ExpectNextAsync(Deadline);
        var flagged = await sub.ExpectNextAsync(Deadline);
        var alertsWhenEmitted = await AlertTestData.CountAsync(db, "SELECT count(*) FROM alerts");
        await pub.SendCompleteAsync();
        await sub.ExpectCompleteAsync(Deadline);

        Assert.Equal(0, calm.Offset.Offset);
        Assert.Equal(1, flagged.Offset.Offset);
        Assert.Equal(1, alertsWhenEmitted);
        Assert.Equal(2, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'pending'"));
        Assert.Equal(AlertIds.For(AlertTestData.Scored(1, "acc-1").TransactionId), await AlertTestData.ScalarAsync<Guid>(db, "SELECT alert_id FROM alerts"));
        Assert.Equal(1, _metrics.Raised);
    }

    [Fact]
    public async Task Flow_should_write_nothing_new_and_still_emit_the_alert_when_a_record_is_replayed()
    {
        var db = await AlertTestData.CreateDatabaseAsync();
        await using var store = new PostgresAlertStore(db);
        var settings = AlertTestData.Settings();
        var elements = Enumerable.Range(0, 20).Select(i => (PipelineElement)AlertTestData.Element(i, AlertTestData.Scored(i, $"acc-{i}"))).ToList();

        var first = await RunRaise(store, settings, elements);
        var replay = await RunRaise(store, settings, elements);

        Assert.Equal(20, first.Count(e => e.Alert is not null));
        Assert.Equal(first.Select(e => e.Alert!.AlertId), replay.Select(e => e.Alert!.AlertId));
        Assert.Equal(20, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alerts"));
        Assert.Equal(20, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox"));
        Assert.Equal(20, _metrics.Raised);
    }

    [Fact]
    public async Task Flow_should_suppress_a_second_alert_for_the_same_account_and_reason_within_the_cooldown_even_after_a_restart()
    {
        var db = await AlertTestData.CreateDatabaseAsync();
        var settings = AlertTestData.Settings("pipeline.alerting { cooldown = 10m, dedupe-window = 1m }");
        var firstRun = new[] { AlertTestData.Element(0, AlertTestData.Scored(0, "acc-1", at: TimeSpan.Zero)) };
        var secondRun = new PipelineElement[]
        {
            AlertTestData.Element(1, AlertTestData.Scored(1, "acc-1", at: TimeSpan.FromMinutes(5))),
            AlertTestData.Element(2, AlertTestData.Scored(2, "acc-1", at: TimeSpan.FromSeconds(10))),
            AlertTestData.Element(3, AlertTestData.Scored(3, "acc-1", at: TimeSpan.FromMinutes(6), reasons: ["new_country"])),
            AlertTestData.Element(4, AlertTestData.Scored(4, "acc-1", at: TimeSpan.FromMinutes(11))),
        };

        await using (var store = new PostgresAlertStore(db))
        {
            await RunRaise(store, settings, firstRun);
        }

        // A new store and flow on the same database: nothing in memory survives, only the table.
        IReadOnlyList<AlertedElement> after;
        await using (var store = new PostgresAlertStore(db))
        {
            after = await RunRaise(store, settings, secondRun);
        }

        Assert.Equal([false, false, true, true], after.Select(e => e.Alert is not null));
        Assert.Equal(1, _metrics.Suppressed("cooldown"));
        Assert.Equal(1, _metrics.Suppressed("duplicate"));
        Assert.Equal(3, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alerts"));
        Assert.Equal(2, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_cooldowns WHERE account_id = 'acc-1'"));
    }

    [Fact]
    public async Task Flow_should_hold_elements_and_lose_no_alert_when_the_database_is_down_for_a_while()
    {
        using var server = PostgresServer.Start();
        var db = await server.CreateDatabaseAsync("alerting_outage");
        await AlertTestData.ApplyMigrationAsync(db);
        // The throwaway cluster runs with fsync and synchronous_commit off: flush the schema before the crash.
        await AlertTestData.CountAsync(db, "CHECKPOINT; SELECT 1");
        await using var store = new PostgresAlertStore(db);
        var log = new CapturingLog();
        var (pub, sub) = TestSource.Probe<PipelineElement>(this)
            .Via(AlertFlow.Create(store, AlertTestData.FastSettings(), _metrics, TimeProvider.System, log))
            .ToMaterialized(TestSink.Probe<PipelineElement>(this), Keep.Both)
            .Run(_materializer);
        await sub.RequestAsync(10);

        server.Stop();
        await pub.SendNextAsync(AlertTestData.Element(0, AlertTestData.Scored(0, "acc-1")));
        await sub.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(800));
        server.Restart();
        var element = await sub.ExpectNextAsync(Deadline);
        await pub.SendCompleteAsync();
        await sub.ExpectCompleteAsync(Deadline);

        Assert.Equal(0, element.Offset.Offset);
        Assert.Equal(1, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alerts"));
        Assert.Contains(log.Entries, e => e.Text.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Flow_should_pass_every_element_untouched_when_alerting_is_disabled()
    {
        var db = await AlertTestData.CreateDatabaseAsync();
        await using var store = new PostgresAlertStore(db);
        var settings = AlertTestData.Settings("pipeline.alerting.enabled = off");

        var result = await RunRaise(store, settings, [AlertTestData.Element(0, AlertTestData.Scored(0, "acc-1"))]);

        Assert.Null(Assert.Single(result).Alert);
        Assert.Equal(0, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alerts"));
    }

    private async Task<IReadOnlyList<AlertedElement>> RunRaise(IAlertStore store, AlertingSettings settings, IReadOnlyList<PipelineElement> elements)
    {
        await store.InitializeAsync(CancellationToken.None);
        return await Source.From(elements)
            .Via(AlertFlow.Raise(store, settings, _metrics, TimeProvider.System, AlertTestData.Log()))
            .RunWith(Sink.Seq<AlertedElement>(), _materializer)
            .WaitAsync(Deadline);
    }
}
