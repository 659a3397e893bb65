using Confluent.Kafka;

namespace Pipeline.Host.Replay;

/// <summary>
/// Turns a <see cref="ReplayStart"/> into per-partition ranges against the cluster, capturing each
/// partition's end offset at start so a replay of a busy topic ends, and hands the start offsets to
/// the replay's own consumer group — the live group's offsets are never read or written.
/// </summary>
public static class KafkaReplayPlanner
{
    /// <summary>The ranges of <paramref name="topic"/> to replay from <paramref name="start"/>, by partition; empty ranges are left out.</summary>
    /// <param name="clientProperties">librdkafka properties of the live consumer (bootstrap servers, security).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="start">Where to start.</param>
    /// <param name="timeout">Bound of each broker round trip.</param>
    /// <exception cref="ReplayException">The topic does not exist, a named partition does not exist, or the broker does not answer.</exception>
    public static IReadOnlyList<PartitionRange> Plan(IEnumerable<KeyValuePair<string, string>> clientProperties, string topic, ReplayStart start, TimeSpan timeout)
    {
        var properties = clientProperties.ToList();
        var partitions = Partitions(properties, topic, timeout);
        if (partitions.Count == 0) throw new ReplayException($"topic '{topic}' does not exist");
        if (start.Offsets is { } listed)
        {
            var unknown = listed.Keys.Where(p => !partitions.Contains(p)).OrderBy(p => p).ToList();
            if (unknown.Count > 0)
            {
                throw new ReplayException($"topic '{topic}' has partitions 0-{partitions.Max()}; it has no partition {string.Join(", ", unknown)}");
            }
        }

        using var consumer = Consumer(properties, "pipeline-replay-planner");
        var chosen = start.Offsets is { } offsets ? offsets.Keys.Order().ToList() : partitions.Order().ToList();
        var byTime = start.Time is { } time
            ? consumer.OffsetsForTimes(chosen.Select(p => new TopicPartitionTimestamp(topic, p, new Timestamp(time))), timeout)
                .ToDictionary(o => o.Partition.Value, o => o.Offset)
            : null;

        var ranges = new List<PartitionRange>();
        try
        {
            foreach (var p in chosen)
            {
                var tp = new TopicPartition(topic, p);
                var marks = consumer.QueryWatermarkOffsets(tp, timeout);
                long from;
                if (byTime is not null)
                {
                    if (byTime[p].IsSpecial)
                    {
                        // "None at or after": true when the last record is older; otherwise the broker cannot
                        // look up by time (librdkafka's mock cluster cannot) and the records are searched.
                        if (marks.High.Value <= marks.Low.Value || TimestampAt(consumer, tp, marks.High.Value - 1, timeout) < start.Time!.Value) continue;
                        from = FirstAtOrAfter(consumer, tp, marks.Low.Value, marks.High.Value - 1, start.Time!.Value, timeout);
                    }
                    else
                    {
                        from = byTime[p].Value;
                    }
                }
                else
                {
                    from = start.Offsets?[p] ?? start.AllPartitionsOffset!.Value;
                }

                string? note = null;
                if (from < marks.Low.Value)
                {
                    note = $"partition {p}: offsets before {marks.Low.Value} were already deleted by retention; starting there";
                    from = marks.Low.Value;
                }

                if (from < marks.High.Value) ranges.Add(new PartitionRange(tp, from, marks.High.Value, note));
            }
        }
        catch (KafkaException ex)
        {
            throw new ReplayException($"cannot read the offsets of '{topic}': {ex.Error.Reason}", ex);
        }

        return ranges;
    }

    /// <summary>Commits each range's start offset for <paramref name="groupId"/> (the replay's own group), where its source starts reading.</summary>
    /// <exception cref="ReplayException">The commit failed.</exception>
    public static void CommitStart(IEnumerable<KeyValuePair<string, string>> clientProperties, string groupId, IEnumerable<PartitionRange> ranges, TimeSpan timeout)
    {
        using var consumer = Consumer(clientProperties.Where(kv => kv.Key != "group.id").Append(new("group.id", groupId)), "pipeline-replay-start");
        try
        {
            consumer.Commit(ranges.Select(r => new TopicPartitionOffset(r.TopicPartition, r.Start)));
        }
        catch (KafkaException ex)
        {
            throw new ReplayException($"cannot set the start offsets of the replay group '{groupId}': {ex.Error.Reason}", ex);
        }
    }

    /// <summary>The partition numbers of <paramref name="topic"/>; empty when the topic does not exist.</summary>
    /// <exception cref="ReplayException">The broker does not answer or refuses the request.</exception>
    public static IReadOnlyCollection<int> Partitions(IEnumerable<KeyValuePair<string, string>> clientProperties, string topic, TimeSpan timeout)
    {
        var errors = new List<string>();
        using var admin = new AdminClientBuilder(ClientOnly(clientProperties))
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, e) => errors.Add(e.Reason))
            .Build();
        try
        {
            var metadata = admin.GetMetadata(topic, timeout).Topics.SingleOrDefault(t => t.Topic == topic);
            if (metadata is null || metadata.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic) return [];
            if (metadata.Error.IsError) throw new ReplayException($"cannot read the metadata of '{topic}': {metadata.Error.Reason}");
            return metadata.Partitions.Select(p => p.PartitionId).ToHashSet();
        }
        catch (KafkaException ex)
        {
            throw new ReplayException($"cannot read the metadata of '{topic}': {(errors.Count > 0 ? errors[^1] : ex.Error.Reason)}", ex);
        }
    }

    // Binary search over record timestamps for the first offset in [low, last] at or after time, given the
    // last one is: the answer a broker's time index gives (it too assumes timestamps grow with offsets).
    private static long FirstAtOrAfter(IConsumer<byte[]?, byte[]?> consumer, TopicPartition tp, long low, long last, DateTimeOffset time, TimeSpan timeout)
    {
        while (low < last)
        {
            var middle = low + ((last - low) / 2);
            if (TimestampAt(consumer, tp, middle, timeout) >= time) last = middle;
            else low = middle + 1;
        }

        return last;
    }

    // The timestamp of the first record at or after offset (offsets may have gaps: compaction, transaction markers).
    private static DateTimeOffset TimestampAt(IConsumer<byte[]?, byte[]?> consumer, TopicPartition tp, long offset, TimeSpan timeout)
    {
        consumer.Assign(new TopicPartitionOffset(tp, offset));
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (record is { IsPartitionEOF: false }) return record.Message.Timestamp.UtcDateTime;
            }

            throw new ReplayException($"cannot read the record at {tp.Topic}/{tp.Partition.Value}@{offset} within {timeout.TotalSeconds:0}s to find its timestamp");
        }
        finally
        {
            consumer.Unassign();
        }
    }

    /// <summary>A consumer that never commits on its own, for offset queries and reads.</summary>
    internal static IConsumer<byte[]?, byte[]?> Consumer(IEnumerable<KeyValuePair<string, string>> clientProperties, string clientId)
    {
        // The readers need the broker timestamps (replay by time) and the headers (re-drive reads its reasons from
        // them): a narrower dotnet.consumer.consume.result.fields, as the transaction graph's consumer sets, is dropped.
        var properties = clientProperties
            .Where(kv => kv.Key is not ("enable.auto.commit" or "enable.auto.offset.store" or "client.id" or "dotnet.consumer.consume.result.fields"))
            .Append(new("enable.auto.commit", "false"))
            .Append(new("client.id", clientId))
            .ToList();
        if (!properties.Any(kv => kv.Key == "group.id")) properties.Add(new("group.id", clientId));
        return new ConsumerBuilder<byte[]?, byte[]?>(properties).SetLogHandler((_, _) => { }).Build();
    }

    // The connection and security properties only: the admin client warns about consumer-only ones.
    private static IEnumerable<KeyValuePair<string, string>> ClientOnly(IEnumerable<KeyValuePair<string, string>> properties) =>
        properties.Where(kv => kv.Key is "bootstrap.servers" or "security.protocol" or "client.dns.lookup" or "socket.timeout.ms"
            || kv.Key.StartsWith("sasl.", StringComparison.Ordinal) || kv.Key.StartsWith("ssl.", StringComparison.Ordinal));
}
