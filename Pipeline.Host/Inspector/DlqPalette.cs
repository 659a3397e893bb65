using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Host.Cli;
using Pipeline.Host.Hosting;
using Pipeline.Host.Replay;

namespace Pipeline.Host.Inspector;

/// <summary>
/// <c>dlq show</c> and <c>dlq redrive --confirm</c>: the dead-letter topic of the host's own
/// cluster (also the embedded one), through <see cref="DeadLetterRedrive"/>. Only metadata is
/// shown, never a record's bytes; <c>redrive</c> runs only with <c>--confirm</c>.
/// </summary>
public sealed class DlqPalette(PipelineRuntime runtime) : IInspectorPalette
{
    private static readonly InspectorArgument[] Filters =
    [
        new("-r", "reasons", "only these reason codes, comma-separated", true),
        new("-s", "stage", "only this stage: decode, schema or rule", true),
        new("--since", "time", "only records read at or after this RFC 3339 time", true),
    ];

    /// <inheritdoc />
    public string Name => "dlq";

    /// <inheritdoc />
    public string Description => "dead-lettered records: list them, re-drive them after a fix";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("show", "dead letters with their reasons (metadata only), oldest first, and counts per reason", [new("-c", "count", "how many to list (1-1000)", true, "20"), .. Filters]),
        new("redrive", "produce the matching dead letters' original bytes back to the transactions topic",
            [.. Filters, new("-n", "limit", "re-drive at most this many (1-10000000)", true), new("--confirm", "confirm", "required: this produces records to the transactions topic", false)]),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        var redrive = invocation.Command.Name == "redrive";
        if (redrive && !invocation.Has("--confirm"))
        {
            yield return InspectorReply.Error("'dlq redrive' produces records to the transactions topic; check them with 'dlq show', then repeat with --confirm");
            yield break;
        }

        InspectorReply reply;
        try
        {
            reply = await RunAsync(invocation, redrive, ct).ConfigureAwait(false);
        }
        catch (CommandLineException ex)
        {
            reply = InspectorReply.Error(ex.Message);
        }
        catch (ReplayException ex)
        {
            reply = InspectorReply.Error(ex.Message);
        }

        yield return reply;
    }

    private async Task<InspectorReply> RunAsync(InspectorInvocation invocation, bool redrive, CancellationToken ct)
    {
        var limit = invocation.Has("-n") ? invocation.Int("-n", 1, 10_000_000) : (long?)null;
        var filter = RedriveCommand.ParseFilter(invocation.Value("-r"), invocation.Value("-s"), invocation.Value("--since"), limit);
        var show = redrive ? 20 : invocation.Int("-c", 1, 1000);
        var graph = runtime.Options.Graph.WithBootstrapServers(runtime.BootstrapServers);
        var dlq = new DeadLetterRedrive([.. graph.Consumer.Properties], graph.DeadLetterTopic, graph.TransactionsTopic, graph.DeadLetterProducer);
        var text = new StringBuilder();
        var listed = new JsonArray();
        Task List(DeadLetterEntry e)
        {
            if (listed.Count >= show) return Task.CompletedTask;
            text.AppendLine(RedriveCommand.Describe(e, graph.DeadLetterTopic));
            listed.Add(new JsonObject
            {
                ["partition"] = e.Partition,
                ["offset"] = e.Offset,
                ["receivedAt"] = e.ReceivedAt.ToString("O"),
                ["stage"] = e.Stage,
                ["reason"] = e.Reason,
                ["detail"] = e.Detail,
                ["source"] = $"{e.SourceTopic}/{e.SourcePartition}@{e.SourceOffset}",
                ["bytes"] = e.Value.Length,
                ["exact"] = e.Exact,
            });
            return Task.CompletedTask;
        }

        var result = redrive ? await dlq.RedriveAsync(filter, List, ct).ConfigureAwait(false) : await dlq.DryRunAsync(filter, List, ct).ConfigureAwait(false);
        foreach (var line in RedriveCommand.Report(result, redrive, graph.TransactionsTopic))
        {
            text.AppendLine(line);
        }

        return new InspectorReply(text.ToString().TrimEnd(), new JsonObject
        {
            ["topic"] = graph.DeadLetterTopic,
            ["filter"] = filter.ToString(),
            ["matched"] = result.Matched,
            ["produced"] = result.Produced,
            ["truncated"] = result.Truncated,
            ["byReason"] = new JsonObject(result.ByReason.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["records"] = listed,
        });
    }
}
