using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Graph.Kafka;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Inspector;

/// <summary>
/// <c>kafka consumers</c> (group, member, state, buffer, paused partitions, errors) and
/// <c>kafka lag</c> (one row per owned partition: position, committed, high watermark, lag) from the
/// running consumer's own bookkeeping — no broker round trip.
/// </summary>
public sealed class KafkaPalette(PipelineRuntime runtime) : IInspectorPalette
{
    /// <inheritdoc />
    public string Name => "kafka";

    /// <inheritdoc />
    public string Description => "the graph's Kafka consumer";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("consumers", "group, member, state, buffer, paused partitions and errors of the consumer", []),
        new("lag", "per-partition position, committed offset, high watermark and lag", []),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var status = TryStatus();
        if (status is null)
        {
            yield return InspectorReply.Error("the consumer is not running (the graph has not started or has stopped)");
            yield break;
        }

        yield return invocation.Command.Name == "lag" ? Lag(status) : Consumers(status);
    }

    private ConsumerStatus? TryStatus()
    {
        try
        {
            return runtime.Control?.Status();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private static InspectorReply Consumers(ConsumerStatus s)
    {
        var paused = s.PausedPartitions.Select(p => $"{p.Topic}[{p.Partition.Value}]").ToList();
        var text = new StringBuilder()
            .AppendLine($"group:        {s.GroupId}")
            .AppendLine($"member:       {s.MemberId ?? "(not joined)"}")
            .AppendLine($"subscription: {s.Subscription}")
            .AppendLine($"state:        {s.State}; commit mode {s.CommitMode}")
            .AppendLine($"partitions:   {s.Partitions.Count} owned, {paused.Count} paused{(paused.Count > 0 ? ": " + string.Join(", ", paused) : string.Empty)}")
            .AppendLine($"buffer:       {s.BufferDepth}/{s.BufferCapacity}{(s.Backpressured ? " (backpressured)" : string.Empty)}")
            .AppendLine($"last poll:    {Time(s.LastPollAt)}; last record {Time(s.LastRecordAt)}")
            .AppendLine($"errors:       {s.ErrorCount} client, {s.CommitErrorCount} commit, {s.StaleOffsetsSkipped} stale offsets skipped{(s.LastError is null ? string.Empty : "; last: " + s.LastError)}");
        var data = new JsonObject
        {
            ["groupId"] = s.GroupId,
            ["memberId"] = s.MemberId,
            ["subscription"] = s.Subscription,
            ["state"] = s.State.ToString(),
            ["commitMode"] = s.CommitMode.ToString(),
            ["partitions"] = s.Partitions.Count,
            ["paused"] = new JsonArray(paused.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
            ["bufferDepth"] = s.BufferDepth,
            ["bufferCapacity"] = s.BufferCapacity,
            ["backpressured"] = s.Backpressured,
            ["lastPollAt"] = s.LastPollAt?.ToString("O"),
            ["lastRecordAt"] = s.LastRecordAt?.ToString("O"),
            ["errorCount"] = s.ErrorCount,
            ["commitErrorCount"] = s.CommitErrorCount,
            ["staleOffsetsSkipped"] = s.StaleOffsetsSkipped,
            ["lastError"] = s.LastError,
        };
        return new InspectorReply(text.ToString().TrimEnd(), new JsonObject { ["consumers"] = new JsonArray(data) });
    }

    private static InspectorReply Lag(ConsumerStatus s)
    {
        var rows = s.Partitions.OrderBy(p => p.TopicPartition.Topic, StringComparer.Ordinal).ThenBy(p => p.TopicPartition.Partition.Value).ToList();
        var text = new StringBuilder().AppendLine($"group {s.GroupId}");
        text.AppendLine($"{"topic",-24} {"partition",9} {"position",12} {"committed",12} {"high",12} {"lag",10} paused");
        var data = new JsonArray();
        foreach (var p in rows)
        {
            text.AppendLine($"{p.TopicPartition.Topic,-24} {p.TopicPartition.Partition.Value,9} {N(p.Position),12} {N(p.CommittedOffset),12} {N(p.HighWatermark),12} {N(p.Lag),10} {(p.Paused ? "yes" : "no")}");
            data.Add(new JsonObject
            {
                ["topic"] = p.TopicPartition.Topic,
                ["partition"] = p.TopicPartition.Partition.Value,
                ["position"] = p.Position,
                ["committed"] = p.CommittedOffset,
                ["highWatermark"] = p.HighWatermark,
                ["lag"] = p.Lag,
                ["paused"] = p.Paused,
            });
        }

        var total = rows.Sum(p => p.Lag ?? 0);
        text.Append($"total lag {total} over {rows.Count} partitions");
        return new InspectorReply(text.ToString(), new JsonObject { ["groupId"] = s.GroupId, ["totalLag"] = total, ["partitions"] = data });
    }

    private static string N(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "never";
}
