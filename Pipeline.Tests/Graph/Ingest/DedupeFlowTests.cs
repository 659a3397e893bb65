using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Ingest;
using Pipeline.Tests.Graph.Scoring;
using Prometheus;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Ingest;

public sealed class DedupeFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DedupeSettings Settings = DedupeSettings.Create(ReferenceConfigFile.Load().GetConfig("pipeline.dedupe"));
    private readonly DataQualityMetrics _metrics = new(new CollectorRegistry());

    [Fact]
    public async Task Flow_should_turn_a_second_record_of_a_transaction_into_a_skipped_record_that_keeps_its_offset()
    {
        var quarantined = IngestTestData.Quarantined(1, 5, "x"u8.ToArray());
        PipelineElement[] input =
        [
            IngestTestData.Accepted(0, 10, IngestTestData.Id(1)),
            quarantined,
            IngestTestData.Accepted(0, 11, IngestTestData.Id(2)),
            IngestTestData.Accepted(2, 40, IngestTestData.Id(1)),
        ];

        var output = await Run(input, Settings.CreateMemoryStore(TimeProvider.System));

        Assert.Equal(input.Select(e => e.Offset), output.Select(e => e.Offset));
        Assert.Same(input[0], output[0]);
        Assert.Same(quarantined, output[1]);
        Assert.Same(input[2], output[2]);
        var skipped = Assert.IsType<SkippedRecord>(output[3]);
        Assert.Equal((SkippedRecord.Duplicate, IngestTestData.Id(1)), (skipped.Reason, skipped.TransactionId));
        Assert.Equal(1, _metrics.Duplicates);
    }

    [Fact]
    public async Task Flow_should_process_a_record_again_when_the_same_record_is_delivered_again_after_a_crash()
    {
        var store = Settings.CreateMemoryStore(TimeProvider.System);
        await Run([IngestTestData.Accepted(3, 77, IngestTestData.Id(9))], store);

        var redelivered = await Run([IngestTestData.Accepted(3, 77, IngestTestData.Id(9))], store);

        Assert.IsType<AcceptedTransaction>(Assert.Single(redelivered));
        Assert.Equal(0, _metrics.Duplicates);
    }

    [Fact]
    public async Task Flow_should_keep_order_and_flag_exactly_the_repeats_when_many_batches_run()
    {
        // 3,000 records over 1,000 ids, each id three times at different offsets, batches of at most 7.
        var input = Enumerable.Range(0, 3000).Select(i => (PipelineElement)IngestTestData.Accepted(i % 4, i, IngestTestData.Id(i % 1000))).ToList();
        var settings = Settings with { BatchSize = 7 };

        var output = await Run(input, settings.CreateMemoryStore(TimeProvider.System), settings);

        Assert.Equal(input.Select(e => e.Offset.Offset), output.Select(e => e.Offset.Offset));
        Assert.All(output.Take(1000), e => Assert.IsType<AcceptedTransaction>(e));
        Assert.All(output.Skip(1000), e => Assert.IsType<SkippedRecord>(e));
        Assert.Equal(2000, _metrics.Duplicates);
    }

    private async Task<List<PipelineElement>> Run(IEnumerable<PipelineElement> input, IDedupeStore store, DedupeSettings? settings = null)
    {
        var result = await Source.From(input)
            .Via(DedupeFlow.Create(store, settings ?? Settings, _metrics))
            .RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(10));
        return result.ToList();
    }
}
