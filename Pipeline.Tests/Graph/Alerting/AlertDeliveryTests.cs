using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Alerting;
using Pipeline.Graph.Ingest;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;

namespace Pipeline.Tests.Graph.Alerting;

[Trait("Category", "Integration")]
public sealed class AlertDeliveryTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly ActorMaterializer _materializer;
    private readonly AlertMetrics _metrics = new(new CollectorRegistry());
    private readonly HttpClient _http = AlertHttp.CreateClient(TimeSpan.FromSeconds(1));
    private readonly List<AlertDeliveryControl> _running = [];
    private readonly List<IAlertStore> _stores = [];
    private FakeSlackServer _slack = null!;

    public AlertDeliveryTests() => _materializer = Sys.Materializer();

    public async Task InitializeAsync() => _slack = await FakeSlackServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var control in _running) await control.StopAsync(TimeSpan.FromSeconds(5));
        foreach (var store in _stores) await store.DisposeAsync();
        await _slack.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Delivery_should_post_a_readable_message_once_and_mark_it_delivered_when_slack_answers_200()
    {
        var (db, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url);
        var alert = AlertTestData.Alert(1, "acc-7", reasons: ["amount_above", "new_country"]);
        await store.WriteAsync([alert], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(1, Deadline);
        await WaitUntil(async () => await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'delivered'") == 1);

        var request = Assert.Single(_slack.Requests);
        var text = JsonDocument.Parse(request.Body).RootElement.GetProperty("text").GetString()!;
        Assert.Equal(alert.AlertId.ToString("D"), request.AlertId);
        Assert.Contains("acc-7", text);
        Assert.Contains("1,235.50 EUR", text);
        Assert.Contains("HIGH", text);
        Assert.Contains("0.900", text);
        Assert.Contains("amount_above, new_country", text);
        Assert.Contains(alert.TransactionId, text);
        Assert.Equal(1, _metrics.Deliveries(AlertChannelNames.Slack, AlertMetrics.Delivered));
    }

    [Fact]
    public async Task Delivery_should_retry_with_backoff_and_keep_account_order_when_slack_answers_500_first()
    {
        var (db, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url);
        var first = AlertTestData.Alert(1, "acc-1");
        var second = AlertTestData.Alert(2, "acc-1");
        await store.WriteAsync([first, second], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        _slack.Enqueue(FakeSlackServer.Response.ServerError);

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(2, Deadline);

        var requests = _slack.Requests;
        Assert.Equal([first.AlertId.ToString("D"), first.AlertId.ToString("D"), second.AlertId.ToString("D")], requests.Select(r => r.AlertId));
        Assert.Equal([500, 200, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(190), $"retried after {requests[1].ReceivedAt - requests[0].ReceivedAt}");
        await WaitUntil(async () => await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'delivered'") == 2);
        Assert.Equal(2, await AlertTestData.CountAsync(db, $"SELECT attempts FROM alert_outbox WHERE alert_id = '{first.AlertId}'"));
        Assert.Equal("HTTP 500: internal_error", await AlertTestData.ScalarAsync<string>(db, $"SELECT last_error FROM alert_outbox WHERE alert_id = '{first.AlertId}'"));
        Assert.Equal(1, _metrics.Deliveries(AlertChannelNames.Slack, AlertMetrics.Retried));
    }

    [Fact]
    public async Task Delivery_should_not_post_again_before_retry_after_when_slack_answers_429()
    {
        var (_, store) = await Database();
        // One post at a time, so the second alert is already waiting when the 429 arrives.
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.outbox.parallelism = 1");
        await store.WriteAsync([AlertTestData.Alert(1, "acc-1"), AlertTestData.Alert(2, "acc-2")], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        _slack.Enqueue(FakeSlackServer.Response.TooManyRequests("2"));

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(2, Deadline);

        var requests = _slack.Requests;
        Assert.Equal(429, requests[0].Status);
        // The whole channel pauses: no post of any alert before Retry-After has passed.
        Assert.All(requests.Skip(1), r => Assert.True(r.ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(1.95), $"posted {r.ReceivedAt - requests[0].ReceivedAt} after the 429"));
        Assert.Equal(1, _metrics.Deliveries(AlertChannelNames.Slack, AlertMetrics.RateLimited));
    }

    [Fact]
    public async Task Delivery_should_retry_when_a_post_times_out()
    {
        var (db, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.slack.timeout = 300ms");
        var alert = AlertTestData.Alert(1, "acc-1");
        await store.WriteAsync([alert], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        _slack.Enqueue(FakeSlackServer.Response.Slow(TimeSpan.FromSeconds(5)));

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(1, Deadline);

        Assert.True(_slack.Requests[0].Abandoned);
        Assert.Equal(1, _metrics.Deliveries(AlertChannelNames.Slack, AlertMetrics.Retried));
        await WaitUntil(async () => await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'delivered'") == 1);
        Assert.Equal("timeout after 300 ms", await AlertTestData.ScalarAsync<string>(db, "SELECT last_error FROM alert_outbox"));
    }

    [Fact]
    public async Task Delivery_should_mark_alerts_below_the_minimum_severity_skipped_without_posting_them()
    {
        var (db, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.min-severity-for-slack = HIGH");
        var low = AlertTestData.Alert(1, "acc-1", Severity.Medium);
        var high = AlertTestData.Alert(2, "acc-2", Severity.Critical);
        await store.WriteAsync([low, high], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(1, Deadline);
        await WaitUntil(async () => await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'skipped'") == 1);

        Assert.Equal([high.AlertId.ToString("D")], _slack.Requests.Select(r => r.AlertId));
        Assert.Equal("skipped", await AlertTestData.ScalarAsync<string>(db, $"SELECT state FROM alert_outbox WHERE alert_id = '{low.AlertId}'"));
        Assert.Equal(1, _metrics.Deliveries(AlertChannelNames.Slack, AlertMetrics.Skipped));
    }

    [Fact]
    public async Task Delivery_should_never_post_an_alert_twice_when_two_hosts_share_the_outbox()
    {
        var (db, store) = await Database();
        var otherStore = new PostgresAlertStore(db);
        _stores.Add(otherStore);
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.outbox.batch = 5");
        var alerts = Enumerable.Range(0, 60).Select(i => AlertTestData.Alert(i, $"acc-{i % 20}")).ToList();
        await store.WriteAsync(alerts, settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        // Slow answers keep both hosts claiming while the other holds rows.
        _slack.Default = FakeSlackServer.Response.Slow(TimeSpan.FromMilliseconds(20));

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        Start(otherStore, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-b");
        await _slack.WaitForDeliveriesAsync(60, Deadline);
        await WaitUntil(async () => await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'delivered'") == 60);

        Assert.Equal(60, _slack.Requests.Count);
        foreach (var account in alerts.GroupBy(a => a.AccountId))
        {
            var posted = _slack.Requests.Select(r => r.AlertId).Where(id => account.Any(a => a.AlertId.ToString("D") == id));
            Assert.Equal(account.Select(a => a.AlertId.ToString("D")), posted);
        }
    }

    [Fact]
    public async Task Delivery_should_reclaim_rows_whose_lease_expired_when_their_host_died()
    {
        var (_, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url);
        await store.WriteAsync([AlertTestData.Alert(1, "acc-1"), AlertTestData.Alert(2, "acc-2")], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        var claimedAt = DateTimeOffset.UtcNow;
        var orphaned = await store.ClaimAsync(AlertChannelNames.Slack, "crashed-host", 10, claimedAt, TimeSpan.FromSeconds(1.5), CancellationToken.None);

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(2, Deadline);

        Assert.Equal(2, orphaned.Count);
        Assert.All(_slack.Requests, r => Assert.True(r.ReceivedAt >= claimedAt + TimeSpan.FromSeconds(1.4), "posted while another host held the lease"));
        Assert.False(await store.CompleteAsync(orphaned[0], "crashed-host", OutboxCompletion.Delivered(DateTimeOffset.UtcNow), CancellationToken.None));
    }

    [Fact]
    public async Task Delivery_should_give_up_and_keep_the_url_out_of_logs_and_errors_when_slack_keeps_failing()
    {
        var (db, store) = await Database();
        var log = new CapturingLog();
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.outbox { max-attempts = 2, min-backoff = 50ms }");
        await store.WriteAsync([AlertTestData.Alert(1, "acc-1")], settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);
        // A hostile receiver echoing the secret path must not get it into the database or the logs.
        _slack.Default = new FakeSlackServer.Response(503, "no service at " + _slack.Url.AbsolutePath);
        var channel = new SlackChannel(_http, settings, TimeProvider.System);

        Start(store, channel, settings, "host-a", log);
        await WaitUntil(async () => await AlertTestData.CountAsync(db, "SELECT count(*) FROM alert_outbox WHERE state = 'dead'") == 1);

        var lastError = await AlertTestData.ScalarAsync<string>(db, "SELECT last_error FROM alert_outbox");
        var secretPath = _slack.Url.AbsolutePath;
        Assert.Equal(2, _slack.Requests.Count);
        Assert.Equal(1, _metrics.Deliveries(AlertChannelNames.Slack, AlertMetrics.Failed));
        Assert.Contains(log.Entries, e => e.Text.Contains("given up", StringComparison.Ordinal));
        Assert.StartsWith("HTTP 503", lastError);
        foreach (var text in new[] { log.AllText, lastError, channel.ToString(), settings.ToString() })
        {
            Assert.DoesNotContain(secretPath, text);
            Assert.DoesNotContain(_slack.Url.ToString(), text);
        }
    }

    [Fact]
    public async Task Delivery_should_post_no_faster_than_the_configured_rate()
    {
        var (_, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.slack { rate = 5, burst = 1 }");
        await store.WriteAsync(Enumerable.Range(0, 6).Select(i => AlertTestData.Alert(i, $"acc-{i}")).ToList(), settings.Channels, [], DateTimeOffset.UtcNow, CancellationToken.None);

        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        await _slack.WaitForDeliveriesAsync(6, Deadline);

        var arrivals = _slack.Requests.Select(r => r.ReceivedAt).Order().ToList();
        // Six posts at 5/s: after the burst allowance (the token bucket starts full), the other four wait 200 ms each.
        Assert.True(arrivals[^1] - arrivals[0] >= TimeSpan.FromMilliseconds(700), $"six posts took {arrivals[^1] - arrivals[0]}");
    }

    [Fact]
    public async Task Webhook_should_sign_the_alert_json_and_send_its_id_when_posting()
    {
        var settings = AlertTestData.FastSettings(extra: $$"""
            pipeline.alerting.webhook { url = "{{_slack.Url}}", secret = "whsec-test-1" }
            """);
        var channel = new WebhookChannel(_http, settings, TimeProvider.System);
        var alert = AlertTestData.Alert(3, "acc-3");

        var result = await channel.SendAsync(alert, CancellationToken.None);

        var request = Assert.Single(_slack.Requests);
        Assert.Equal(DeliveryResultKind.Delivered, result.Kind);
        Assert.Equal(alert, AlertJson.Deserialize(request.Body));
        Assert.Equal(alert.AlertId.ToString("D"), request.AlertId);
        Assert.True(WebhookSignature.Verify("whsec-test-1", request.Body, request.Headers[WebhookSignature.HeaderName]));
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        Assert.DoesNotContain("whsec", channel.ToString());
    }

    [Fact]
    public async Task AlertFlow_should_keep_writing_alerts_while_slack_is_down()
    {
        var (db, store) = await Database();
        var settings = AlertTestData.FastSettings(_slack.Url, "pipeline.alerting.slack.timeout = 500ms");
        _slack.Default = FakeSlackServer.Response.Slow(TimeSpan.FromSeconds(30));
        Start(store, new SlackChannel(_http, settings, TimeProvider.System), settings, "host-a");
        var elements = Enumerable.Range(0, 400).Select(i => (PipelineElement)AlertTestData.Element(i, AlertTestData.Scored(i, $"acc-{i}"))).ToList();

        var started = DateTime.UtcNow;
        var passed = await Source.From(elements)
            .Via(AlertFlow.Create(store, settings, _metrics, TimeProvider.System, new CapturingLog()))
            .RunWith(Sink.Seq<PipelineElement>(), _materializer)
            .WaitAsync(Deadline);
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(elements.Select(e => e.Offset.Offset), passed.Select(e => e.Offset.Offset));
        Assert.Equal(400, await AlertTestData.CountAsync(db, "SELECT count(*) FROM alerts"));
        Assert.Empty(_slack.DeliveredAlertIds);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"the alert flow took {elapsed} with Slack down");
        await WaitUntil(() => Task.FromResult(_metrics.OutboxDepth(AlertChannelNames.Slack) >= 390));
        Assert.True(_metrics.OutboxOldestSeconds(AlertChannelNames.Slack) >= 0);
    }

    private async Task<(string Db, PostgresAlertStore Store)> Database()
    {
        var db = await AlertTestData.CreateDatabaseAsync();
        var store = new PostgresAlertStore(db);
        _stores.Add(store);
        await store.InitializeAsync(CancellationToken.None);
        return (db, store);
    }

    private void Start(IAlertStore store, IAlertChannel channel, AlertingSettings settings, string host, CapturingLog? log = null) =>
        _running.Add(AlertDelivery.Create(store, channel, settings, _metrics, TimeProvider.System, log ?? new CapturingLog(), host, new Random(5)).Run(_materializer));

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within the deadline");
            await Task.Delay(20);
        }
    }
}
