using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Pipeline.Host.Inspector;

/// <summary><c>drift show [-c n]</c> over <see cref="IDriftFeed"/>; without one it answers that drift detection is not available in this host.</summary>
public sealed class DriftPalette(IDriftFeed? feed) : IInspectorPalette
{
    /// <inheritdoc />
    public string Name => "drift";

    /// <inheritdoc />
    public string Description => "concept drift detected on scores and features";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("show", "recent drift events, newest first", [new("-c", "count", "how many events (1-1000)", true, "20")]),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        if (feed is null)
        {
            yield return InspectorReply.Error("drift detection is not available in this host");
            yield break;
        }

        var events = feed.RecentDrift(invocation.Int("-c", 1, 1000));
        yield return new InspectorReply(
            events.Count == 0 ? "no drift detected" : string.Join('\n', events.Select(e => $"{e.At:yyyy-MM-ddTHH:mm:ssZ} {e.Detector,-6} {e.Signal}: {e.Detail}")),
            new JsonObject
            {
                ["events"] = new JsonArray(events.Select(e => (JsonNode)new JsonObject
                {
                    ["at"] = e.At.ToString("O"),
                    ["detector"] = e.Detector,
                    ["signal"] = e.Signal,
                    ["detail"] = e.Detail,
                }).ToArray()),
            });
    }
}
