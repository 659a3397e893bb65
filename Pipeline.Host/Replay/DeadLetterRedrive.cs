using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;

namespace Pipeline.Host.Replay;

/// <summary>
/// Re-drives quarantined records after a fix: reads the dead-letter topic (the original key and value
/// bytes with the reason headers <see cref="DeadLetterFlow"/> writes) up to its end offsets captured
/// at start, keeps what the filter selects, and produces each record's original bytes, keyed as
/// originally, back to the transactions topic, where the live graph decodes it again. Re-driving is
/// safe to repeat: a record that is accepted this time is deduplicated by transaction id and its row
/// is written idempotently; one that is still rejected is dead-lettered again.
/// <para>
/// <b>Why the topic and not the quarantine table.</b> The table keeps the bytes with card numbers and
/// e-mails masked (<see cref="ProtectPiiFlow"/>), so re-driving it would feed masked values back as
/// data; the topic keeps the exact original bytes. The one exception is a record the dead-letter
/// producer had to cut (header <see cref="DeadLetterFlow.TruncatedFromHeader"/>): it is listed but never re-driven.
/// </para>
/// Reading joins no group and commits nothing. Nothing here prints or logs a record's bytes.
/// </summary>
/// <param name="clientProperties">librdkafka properties of the live consumer (bootstrap servers, security).</param>
/// <param name="deadLetterTopic">The dead-letter topic (<c>pipeline.topics.dlq</c>).</param>
/// <param name="transactionsTopic">Where re-driven records go (<c>pipeline.topics.transactions</c>).</param>
/// <param name="producer">The producer settings (<c>pipeline.kafka.producer</c>).</param>
public sealed class DeadLetterRedrive(
    IReadOnlyList<KeyValuePair<string, string>> clientProperties,
    string deadLetterTopic,
    string transactionsTopic,
    ProducerSettings<byte[]?, byte[]> producer)
{
    /// <summary>Header on a re-driven record naming the dead letter it came from: <c>topic/partition/offset</c>.</summary>
    public const string RedrivenFromHeader = "x-redriven-from";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The dead-letter topic.</summary>
    public string DeadLetterTopic => deadLetterTopic;

    /// <summary>The transactions topic.</summary>
    public string TransactionsTopic => transactionsTopic;

    /// <summary>The dead letters passing <paramref name="filter"/>, in partition then offset order per partition, up to the end offsets of now.</summary>
    /// <exception cref="ReplayException">The broker does not answer.</exception>
    public async IAsyncEnumerable<DeadLetterEntry> ReadAsync(DeadLetterFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<DeadLetterEntry>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // librdkafka's Consume blocks: the reading runs on its own thread and hands entries over.
        var reader = Task.Run(() => Read(filter, channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var entry in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return entry;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        }
    }

    /// <summary>Lists the matches without producing anything; <paramref name="onMatch"/> sees each one.</summary>
    public async Task<RedriveResult> DryRunAsync(DeadLetterFilter filter, Func<DeadLetterEntry, Task> onMatch, CancellationToken ct)
    {
        long matched = 0, truncated = 0;
        var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await foreach (var entry in ReadAsync(filter, ct).ConfigureAwait(false))
        {
            matched++;
            if (!entry.Exact) truncated++;
            byReason[$"{entry.Stage}/{entry.Reason}"] = byReason.GetValueOrDefault($"{entry.Stage}/{entry.Reason}") + 1;
            await onMatch(entry).ConfigureAwait(false);
        }

        return new RedriveResult(matched, 0, truncated, byReason);
    }

    /// <summary>Produces every exact match back to the transactions topic; <paramref name="onMatch"/> sees each one first.</summary>
    /// <exception cref="ReplayException">A record could not be delivered (the message counts what was).</exception>
    public async Task<RedriveResult> RedriveAsync(DeadLetterFilter filter, Func<DeadLetterEntry, Task> onMatch, CancellationToken ct)
    {
        long matched = 0, truncated = 0, produced = 0;
        var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var errors = new List<string>();
        using var client = producer.WithClientId("pipeline-redrive")
            .CreateKafkaProducer(errorHandler: (_, e) => { lock (errors) errors.Add(e.Reason); }, logHandler: (_, _) => { });
        var pending = new List<Task<DeliveryResult<byte[]?, byte[]>>>();
        try
        {
            await foreach (var entry in ReadAsync(filter, ct).ConfigureAwait(false))
            {
                matched++;
                byReason[$"{entry.Stage}/{entry.Reason}"] = byReason.GetValueOrDefault($"{entry.Stage}/{entry.Reason}") + 1;
                await onMatch(entry).ConfigureAwait(false);
                if (!entry.Exact)
                {
                    truncated++;
                    continue;
                }

                var message = new Message<byte[]?, byte[]>
                {
                    Key = entry.Key,
                    Value = entry.Value,
                    Headers = new Headers { { RedrivenFromHeader, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{deadLetterTopic}/{entry.Partition}/{entry.Offset}")) } },
                };
                pending.Add(client.ProduceAsync(transactionsTopic, message, ct));
                if (pending.Count >= 1000) produced += await Settle(pending).ConfigureAwait(false);
            }

            produced += await Settle(pending).ConfigureAwait(false);
        }
        catch (ProduceException<byte[]?, byte[]> ex)
        {
            throw new ReplayException($"re-drive stopped: a record could not be produced to '{transactionsTopic}' ({ex.Error.Reason}); {produced} were produced before it. Re-driving again is safe", ex);
        }

        return new RedriveResult(matched, produced, truncated, byReason);
    }

    private static async Task<long> Settle(List<Task<DeliveryResult<byte[]?, byte[]>>> pending)
    {
        await Task.WhenAll(pending).ConfigureAwait(false);
        var count = pending.Count;
        pending.Clear();
        return count;
    }

    private void Read(DeadLetterFilter filter, ChannelWriter<DeadLetterEntry> writer, CancellationToken ct)
    {
        try
        {
            var partitions = KafkaReplayPlanner.Partitions(clientProperties, deadLetterTopic, Timeout);
            if (partitions.Count == 0) return;
            using var consumer = KafkaReplayPlanner.Consumer(clientProperties.Append(new("enable.partition.eof", "true")), "pipeline-redrive-reader");
            var ends = new Dictionary<TopicPartition, long>();
            var starts = new List<TopicPartitionOffset>();
            var since = filter.Since is { } t
                ? consumer.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(deadLetterTopic, p, new Timestamp(t))), Timeout).ToDictionary(o => o.Partition.Value, o => o.Offset)
                : null;
            foreach (var p in partitions.Order())
            {
                var tp = new TopicPartition(deadLetterTopic, p);
                var marks = consumer.QueryWatermarkOffsets(tp, Timeout);
                var start = since is null ? marks.Low.Value : since[p].IsSpecial ? marks.High.Value : since[p].Value;
                if (start >= marks.High.Value) continue;
                ends[tp] = marks.High.Value;
                starts.Add(new TopicPartitionOffset(tp, start));
            }

            if (starts.Count == 0) return;
            consumer.Assign(starts);
            long matches = 0;
            while (ends.Count > 0 && !ct.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null) continue;
                var tp = result.TopicPartition;
                if (!ends.TryGetValue(tp, out var end)) continue;
                if (result.IsPartitionEOF)
                {
                    if (result.Offset.Value >= end) Finish(consumer, ends, tp);
                    continue;
                }

                if (result.Offset.Value >= end)
                {
                    Finish(consumer, ends, tp);
                    continue;
                }

                var entry = ToEntry(result);
                if (filter.Matches(entry))
                {
                    // Blocks while the caller is busy (producing, printing): the channel is bounded.
                    writer.WriteAsync(entry, ct).AsTask().GetAwaiter().GetResult();
                    if (++matches >= filter.Limit) return;
                }

                if (result.Offset.Value >= end - 1) Finish(consumer, ends, tp);
            }
        }
        catch (OperationCanceledException)
        {
            // The caller stopped reading.
        }
        catch (KafkaException ex)
        {
            writer.TryComplete(new ReplayException($"cannot read the dead-letter topic '{deadLetterTopic}': {ex.Error.Reason}", ex));
        }
        catch (ReplayException ex)
        {
            writer.TryComplete(ex);
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private static void Finish(IConsumer<byte[]?, byte[]?> consumer, Dictionary<TopicPartition, long> ends, TopicPartition tp)
    {
        ends.Remove(tp);
        consumer.IncrementalUnassign([tp]);
    }

    private DeadLetterEntry ToEntry(ConsumeResult<byte[]?, byte[]?> result)
    {
        var headers = result.Message.Headers;
        string Header(string name) => headers is not null && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : string.Empty;
        long? Number(string name) => long.TryParse(Header(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        var receivedAt = DateTimeOffset.TryParse(Header(DeadLetterFlow.ReceivedAtHeader), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : result.Message.Timestamp.UtcDateTime;
        return new DeadLetterEntry(
            result.Partition.Value,
            result.Offset.Value,
            receivedAt,
            Header(DeadLetterFlow.StageHeader),
            Header(DeadLetterFlow.ReasonHeader),
            Header(DeadLetterFlow.DetailHeader),
            Header(DeadLetterFlow.SourceTopicHeader) is { Length: > 0 } topic ? topic : transactionsTopic,
            (int)(Number(DeadLetterFlow.SourcePartitionHeader) ?? -1),
            Number(DeadLetterFlow.SourceOffsetHeader) ?? -1,
            Number(DeadLetterFlow.TruncatedFromHeader))
        {
            Key = result.Message.Key,
            Value = result.Message.Value ?? [],
        };
    }
}
