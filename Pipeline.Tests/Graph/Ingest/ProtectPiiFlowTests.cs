using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Ingest;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Models.Domain;
using Prometheus;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Ingest;

public sealed class ProtectPiiFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Key = "pii-flow-test-key-0123456789abcdef0123456789";
    private readonly DataQualityMetrics _metrics = new(new CollectorRegistry());

    [Fact]
    public async Task Flow_should_tokenise_transactions_and_mask_quarantined_bytes_when_they_hold_pii()
    {
        var settings = PiiSettings.Create(ReferenceConfigFile.With($"pipeline.pii.key = \"{Key}\"").GetConfig("pipeline.pii"), embedded: false);
        var accepted = IngestTestData.Accepted(0, 1, IngestTestData.Id(1));
        accepted = accepted with { Transaction = accepted.Transaction with { ExtraJson = "{\"backup_email\":\"bob@example.net\"}" } };
        var quarantined = IngestTestData.Quarantined(0, 2, DecoderTestData.Bytes(("amount", "0")));
        var skipped = new SkippedRecord(IngestTestData.Offset(0, 3), IngestTestData.ReceivedAt, SkippedRecord.Duplicate, IngestTestData.Id(1));

        var output = await Source.From(new PipelineElement[] { accepted, quarantined, skipped })
            .Via(ProtectPiiFlow.Create(settings, _metrics, Sys.Log))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(10));

        var transaction = Assert.IsType<AcceptedTransaction>(output[0]).Transaction;
        var protector = settings.CreateProtector();
        Assert.Equal(protector.TokenizeCardNumber(DecoderTestData.CardNumber), transaction.CardNumber);
        Assert.Equal(protector.TokenizeEmail(DecoderTestData.Email), transaction.Email);
        Assert.Equal("1234", transaction.CardLast4);
        Assert.DoesNotContain("bob@example.net", transaction.ExtraJson);
        var masked = Assert.IsType<QuarantinedRecord>(output[1]);
        var raw = Encoding.UTF8.GetString(masked.Entry.Raw.Span);
        Assert.True(masked.Redacted);
        Assert.DoesNotContain(DecoderTestData.CardNumber, raw);
        Assert.DoesNotContain(DecoderTestData.Email, raw);
        Assert.Equal(quarantined.Entry with { Raw = masked.Entry.Raw }, masked.Entry);
        Assert.Equal(quarantined.Key, masked.Key);
        Assert.Same(skipped, output[2]);
    }

    [Fact]
    public void Create_should_warn_that_tokens_change_per_run_when_the_key_is_random()
    {
        var settings = PiiSettings.Create(ReferenceConfigFile.Load().GetConfig("pipeline.pii"), embedded: true);

        EventFilter.Warning(contains: "PIPELINE_PII_KEY").ExpectOne(() => ProtectPiiFlow.Create(settings, _metrics, Sys.Log));
    }
}
