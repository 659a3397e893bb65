using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Alerting;

/// <summary>
/// Issue #5: "Slack answering 500 for 60 s, then 429 with Retry-After, then 200: ingestion throughput stays
/// within 10 % of the healthy run; every alert arrives afterwards, in order per account" — the real graph on
/// PostgreSQL (rows, alerts, outbox) and the real Slack delivery stream against a scripted fake Slack.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SlackOutageTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    // Throughput is compared at a paced offered rate the pipeline sustains with margin, not flat out: on a
    // 2-core machine shared with other builds and tests, the flat-out rate of one 20-second window differs
    // from the next by far more than 10 % for reasons unrelated to Slack. At a sustainable offered rate,
    // "throughput stays within 10 %" means the pipeline keeps committing at the offered rate while Slack
    // fails, exactly as while it is healthy; a delivery problem that reached ingestion (a stall, a lock held
    // on the outbox, a retry storm eating the CPU) shows as a drop in the committed rate of the faulty window.
    private const double OfferedRate = 1000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ServerErrors = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RateLimited = TimeSpan.FromSeconds(12);
    private readonly ITestOutputHelper _output;
    private FakeSlackServer _slack = null!;

    public SlackOutageTests(ITestOutputHelper output)
        : base("akka.loglevel = WARNING", output: output) => _output = output;

    public async Task InitializeAsync() => _slack = await FakeSlackServer.StartAsync();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task Ingestion_should_keep_its_rate_and_every_alert_arrive_in_account_order_when_slack_fails_with_500_then_429()
    {
        // Reference settings except: every severity goes to Slack (so "every alert" is every row of alerts), no
        // 1 post/s Slack limit (the fake has none; the backlog drains in seconds), a shorter cooldown (alerts keep
        // coming through the outage), and a 10 s retry cap (after a 60 s outage the default 5 min cap could park
        // an account's head alert for minutes; the cap is an operator's choice, not what is under test).
        await using var pipeline = await LiveAlertingPipeline.StartAsync(Sys, _slack.Url, string.Join("; ",
            "pipeline.alerting.console.enabled = off",
            "pipeline.alerting.min-severity-for-slack = LOW",
            "pipeline.alerting.slack.rate = 200",
            "pipeline.alerting.slack.burst = 50",
            "pipeline.alerting.cooldown = 10s",
            "pipeline.alerting.dedupe-window = 2s",
            "pipeline.alerting.outbox.max-backoff = 10s"));
        using var producer = pipeline.Produce(OfferedRate, seed: 5);

        await Task.Delay(WarmUp);
        var healthy = await MeasureAsync(pipeline, producer, Healthy);
        _slack.Default = FakeSlackServer.Response.ServerError;
        var outageStart = DateTimeOffset.UtcNow;
        var faulty = await MeasureAsync(pipeline, producer, ServerErrors, () => _slack.Default = FakeSlackServer.Response.TooManyRequests("3"), RateLimited);
        _slack.Default = FakeSlackServer.Response.Ok;
        var recovered = DateTimeOffset.UtcNow;
        producer.Stop();
        var produced = producer.Produced;
        await pipeline.WaitUntilAsync(() => Task.FromResult(pipeline.Metrics.Committed >= produced), TimeSpan.FromSeconds(60), "every produced record committed");
        await pipeline.WaitUntilAsync(async () => await pipeline.CountAsync("SELECT count(*) FROM alert_outbox WHERE state <> 'delivered'") == 0, TimeSpan.FromSeconds(60), "every alert delivered");

        var alerts = await pipeline.QueryAsync(
            "SELECT a.alert_id::text, a.account_id, a.created_at FROM alert_outbox o JOIN alerts a USING (alert_id) WHERE o.channel = 'slack' ORDER BY o.seq",
            r => (Id: r.GetString(0), Account: r.GetString(1), CreatedAt: r.GetFieldValue<DateTimeOffset>(2)));
        var requests = _slack.Requests;
        var firstDelivery = requests.Where(r => r.Delivered).GroupBy(r => r.AlertId!).ToDictionary(g => g.Key, g => g.Min(r => r.ReceivedAt));
        var raisedDuringOutage = alerts.Where(a => a.CreatedAt >= outageStart && a.CreatedAt < recovered).ToList();
        var ratio = faulty.Rate / healthy.Rate;
        _output.WriteLine($"offered {OfferedRate:N0} tx/s; committed {healthy.Rate:N0} tx/s healthy ({healthy.Offered:N0} offered), {faulty.Rate:N0} tx/s while Slack failed " +
                          $"({faulty.Offered:N0} offered): ratio {ratio:P1}");
        _output.WriteLine($"{alerts.Count} alerts ({raisedDuringOutage.Count} raised during the outage); {requests.Count} posts: " +
                          $"{requests.Count(r => r.Status == 500)} answered 500, {requests.Count(r => r.Status == 429)} answered 429, {requests.Count(r => r.Delivered)} delivered");

        Assert.True(ratio >= 0.9, $"ingestion fell to {ratio:P1} of the healthy rate while Slack failed");
        Assert.Equal(produced, await pipeline.CountAsync("SELECT count(*) FROM scored_transactions"));
        Assert.Contains(requests, r => r.Status == 500);
        Assert.Contains(requests, r => r.Status == 429);
        Assert.NotEmpty(raisedDuringOutage);
        Assert.Equal(alerts.Select(a => a.Id).Order(StringComparer.Ordinal), firstDelivery.Keys.Order(StringComparer.Ordinal));
        foreach (var account in alerts.GroupBy(a => a.Account))
        {
            Assert.Equal(account.Select(a => a.Id), account.OrderBy(a => firstDelivery[a.Id]).Select(a => a.Id));
        }
    }

    // Committed and offered records per second over one window, optionally switching the fake Slack after
    // its first part: the least-squares slope of counts sampled every 250 ms, so the momentary lag at the
    // window's two ends (a store batch or a commit just before or after the boundary) does not decide the rate.
    private static async Task<(double Rate, double Offered)> MeasureAsync(
        LiveAlertingPipeline pipeline, PacedProducer producer, TimeSpan first, Action? then = null, TimeSpan second = default)
    {
        var samples = new List<(double Seconds, double Committed, double Offered)>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var switched = then is null;
        while (watch.Elapsed < first + second)
        {
            if (!switched && watch.Elapsed >= first)
            {
                then!();
                switched = true;
            }

            samples.Add((watch.Elapsed.TotalSeconds, pipeline.Metrics.Committed, producer.Produced));
            await Task.Delay(250);
        }

        return (Slope(samples.Select(s => (s.Seconds, s.Committed))), Slope(samples.Select(s => (s.Seconds, s.Offered))));
    }

    private static double Slope(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        var (mx, my) = (list.Average(p => p.X), list.Average(p => p.Y));
        return list.Sum(p => (p.X - mx) * (p.Y - my)) / list.Sum(p => (p.X - mx) * (p.X - mx));
    }
}
