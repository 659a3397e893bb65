using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Inspector;

/// <summary>
/// <c>stream list</c>: the materialized streams — each materializer's <c>StreamSupervisor-N</c>
/// actor under <c>/user</c> and its running islands (<c>ActorGraphInterpreter</c> actors named
/// <c>&lt;prefix&gt;-&lt;stream&gt;-&lt;island&gt;-&lt;first stage&gt;</c>) — plus the transaction graph's state.
/// Akka.NET 1.5 has no materializer snapshot, so this is what can be known without stopping anything.
/// </summary>
public sealed class StreamPalette(ActorSystem system, PipelineRuntime runtime) : IInspectorPalette
{
    /// <inheritdoc />
    public string Name => "stream";

    /// <inheritdoc />
    public string Description => "materialized Akka streams";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("list", "stream supervisors, their running islands and the transaction graph's state", []),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var user = ((ExtendedActorSystem)system).Guardian;
        var supervisors = ((ActorRefWithCell)user).Children
            .Where(c => c.Path.Name.StartsWith("StreamSupervisor-", StringComparison.Ordinal))
            .OrderBy(c => c.Path.Name, StringComparer.Ordinal)
            .ToList();
        var graph = runtime.Failure is not null ? $"failed: {runtime.Failure.Message}" : runtime.Control is null ? "not running" : "running";
        var text = new StringBuilder().AppendLine($"transaction graph: {graph}");
        var list = new JsonArray();
        foreach (var supervisor in supervisors)
        {
            var islands = supervisor is ActorRefWithCell cell
                ? cell.Children.Select(c => c.Path.Name).Order(StringComparer.Ordinal).ToList()
                : [];
            text.AppendLine($"{supervisor.Path.ToStringWithoutAddress()} ({islands.Count} running islands)");
            foreach (var island in islands) text.Append("  ").AppendLine(island);
            list.Add(new JsonObject
            {
                ["supervisor"] = supervisor.Path.ToStringWithoutAddress(),
                ["islands"] = new JsonArray(islands.Select(i => (JsonNode)JsonValue.Create(i)).ToArray()),
            });
        }

        if (supervisors.Count == 0) text.AppendLine("no stream supervisors: nothing is materialized");
        yield return new InspectorReply(text.ToString().TrimEnd(), new JsonObject { ["graph"] = graph, ["supervisors"] = list });
    }
}
