using System.Security.Cryptography;
using System.Text;
using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;
using Xunit;

namespace Pipeline.Tests.Models.Alerting;

public sealed class AlertFormatsTests
{
    private static readonly Alert Sample = Alert.From(new ScoredTransaction
    {
        Timestamp = new DateTimeOffset(2026, 3, 1, 12, 0, 5, TimeSpan.FromHours(2)),
        TransactionId = "6a1f0a4e-1111-4c3b-9f00-000000000001",
        AccountId = "acc-<42>",
        Amount = 12345.678,
        Currency = "EUR",
        Score = 0.91234,
        IsAnomaly = true,
        Severity = "HIGH",
        Threshold = 0.7,
        ModelVersion = "v7",
        Features = new Dictionary<string, double>(),
        Reasons = ["amount_above", "new_country"],
    }, new DateTimeOffset(2026, 3, 1, 10, 0, 6, TimeSpan.Zero));

    [Fact]
    public void AlertJson_should_give_an_equal_alert_when_read_back()
    {
        var json = AlertJson.Serialize(Sample);

        Assert.Equal(Sample, AlertJson.Deserialize(json));
        Assert.Contains("\"severity\":\"HIGH\"", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void AlertJson_should_name_the_missing_member_when_the_text_is_not_an_alert()
    {
        var ex = Assert.Throws<FormatException>(() => AlertJson.Deserialize("{\"alert_id\":\"6a1f0a4e-1111-4c3b-9f00-000000000001\"}"u8));

        Assert.Contains("transaction_id", ex.Message);
    }

    [Fact]
    public void SlackMessage_should_show_amount_account_score_severity_reasons_and_ids_when_formatted()
    {
        var text = SlackMessage.Text(Sample);

        Assert.Contains("*HIGH anomaly*", text);
        Assert.Contains("12,345.68 EUR", text);
        Assert.Contains("`acc-&lt;42&gt;`", text);
        Assert.Contains("0.912 (threshold 0.700)", text);
        Assert.Contains("amount_above, new_country", text);
        Assert.Contains("`6a1f0a4e-1111-4c3b-9f00-000000000001`", text);
        Assert.Contains(Sample.AlertId.ToString("D"), text);
        Assert.Contains("2026-03-01 10:00:05Z", text);
    }

    [Fact]
    public void WebhookSignature_should_match_an_independent_hmac_sha256_of_the_body()
    {
        var body = AlertJson.Serialize(Sample);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("s3cret"));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(body));

        var header = WebhookSignature.Compute("s3cret", body);

        Assert.Equal(expected, header);
        Assert.True(WebhookSignature.Verify("s3cret", body, header));
        Assert.False(WebhookSignature.Verify("other", body, header));
    }

    [Theory]
    [InlineData("2", 2.0)]
    [InlineData(" 120 ", 60.0)]
    [InlineData("Sun, 01 Mar 2026 12:00:03 GMT", 3.0)]
    [InlineData("Sun, 01 Mar 2026 11:00:00 GMT", 0.0)]
    public void RetryAfter_should_read_seconds_and_http_dates_capped_when_parsed(string header, double seconds)
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Parse(header, now, TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    public void RetryAfter_should_give_null_when_the_header_is_missing_or_unreadable(string? header)
    {
        Assert.Null(RetryAfter.Parse(header, DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Backoff_should_double_up_to_the_cap_with_bounded_jitter_when_attempts_grow()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.2);
        var random = new Random(7);

        var delays = Enumerable.Range(1, 6).Select(a => backoff.Delay(a, random).TotalSeconds).ToArray();

        double[] bases = [1, 2, 4, 8, 10, 10];
        for (var i = 0; i < bases.Length; i++)
        {
            Assert.InRange(delays[i], bases[i], bases[i] * 1.2);
        }
    }

    [Fact]
    public void Alert_should_refuse_a_transaction_that_is_not_flagged()
    {
        var calm = new ScoredTransaction
        {
            Timestamp = DateTimeOffset.UnixEpoch, TransactionId = "t", AccountId = "a", Amount = 1, Currency = "EUR", Score = 0.1, IsAnomaly = false,
            Severity = "LOW", Threshold = 0.7, ModelVersion = "v1", Features = new Dictionary<string, double>(), Reasons = [],
        };

        Assert.Throws<ArgumentException>(() => Alert.From(calm, DateTimeOffset.UnixEpoch));
        Assert.Equal(Severity.Critical, SeverityNames.Parse("critical"));
    }
}
