using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;

namespace Pipeline.Host.Inspector;

/// <summary>
/// <c>actor hierarchy [-d depth] [-s path]</c>: the live actor tree (guardians, the pipeline's
/// stream supervisors and interpreters, user actors) read from the actor cells' child containers
/// the way <c>ExtendedActorSystem.PrintTree</c> does — a diagnostic read on the caller's thread
/// that sends no messages. <c>actor system</c>: name, address, uptime, Akka version, dispatcher,
/// threads and memory.
/// </summary>
public sealed class ActorPalette(ActorSystem system) : IInspectorPalette
{
    /// <summary>Deepest <c>-d</c> accepted.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most actors one <c>actor hierarchy</c> lists; the reply says when it stopped there.</summary>
    public const int MaxActors = 5000;

    /// <inheritdoc />
    public string Name => "actor";

    /// <inheritdoc />
    public string Description => "the actor system and its actor tree";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("hierarchy", "list live actors as an indented tree",
        [
            new("-d", "depth", $"levels below the start path to show (1-{MaxDepth})", true, "4"),
            new("-s", "path", "the actor path to start from, e.g. /user or /system", true, "/"),
        ]),
        new("system", "name, address, uptime, versions, dispatcher, threads and memory", []),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return invocation.Command.Name switch
        {
            "hierarchy" => Hierarchy(invocation.Value("-s")!, invocation.Int("-d", 1, MaxDepth)),
            _ => SystemInfo(),
        };
    }

    private InspectorReply Hierarchy(string start, int depth)
    {
        var extended = (ExtendedActorSystem)system;
        var root = extended.Provider.RootGuardian;
        var elements = start.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var origin = elements.Length == 0 ? root : root.GetChild(elements);
        if (origin is Nobody || origin.IsNobody())
        {
            return InspectorReply.Error($"no actor at {start} (try 'actor hierarchy -s /user')");
        }

        var text = new StringBuilder();
        var actors = new JsonArray();
        var listed = 0;
        var truncated = false;
        void Walk(IActorRef actor, int level)
        {
            if (listed >= MaxActors)
            {
                truncated = true;
                return;
            }

            listed++;
            var path = actor.Path.ToStringWithoutAddress();
            var children = actor is ActorRefWithCell withCell ? withCell.Children.Cast<IActorRef>().OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList() : new List<IActorRef>();
            text.Append(' ', level * 2).Append(level == 0 ? path : actor.Path.Name);
            if (children.Count > 0 && level == depth) text.Append(" (").Append(children.Count).Append(" children not shown)");
            text.AppendLine();
            actors.Add(new JsonObject { ["path"] = path, ["depth"] = level, ["children"] = children.Count });
            if (level >= depth) return;
            foreach (var child in children) Walk(child, level + 1);
        }

        Walk(origin, 0);
        if (truncated) text.AppendLine($"… stopped after {MaxActors} actors; narrow with -s or -d");
        return new InspectorReply(text.ToString().TrimEnd(), new JsonObject { ["start"] = start, ["depth"] = depth, ["truncated"] = truncated, ["actors"] = actors });
    }

    private InspectorReply SystemInfo()
    {
        var extended = (ExtendedActorSystem)system;
        var address = extended.Provider.DefaultAddress.ToString();
        var dispatcher = system.Settings.Config.GetString("akka.actor.default-dispatcher.type", "default");
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        var gc = GC.GetGCMemoryInfo();
        var data = new JsonObject
        {
            ["name"] = system.Name,
            ["address"] = address,
            ["startedAt"] = DateTimeOffset.FromUnixTimeMilliseconds(system.StartTime.Ticks / TimeSpan.TicksPerMillisecond).ToString("O"),
            ["uptimeSeconds"] = Math.Round(system.Uptime.TotalSeconds, 1),
            ["akkaVersion"] = typeof(ActorSystem).Assembly.GetName().Version?.ToString(),
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["dispatcher"] = dispatcher,
            ["processors"] = Environment.ProcessorCount,
            ["threadPoolThreads"] = ThreadPool.ThreadCount,
            ["threadPoolPending"] = ThreadPool.PendingWorkItemCount,
            ["threadPoolMin"] = minWorkers,
            ["threadPoolMax"] = maxWorkers,
            ["managedBytes"] = GC.GetTotalMemory(false),
            ["heapBytes"] = gc.HeapSizeBytes,
            ["workingSetBytes"] = Environment.WorkingSet,
            ["gen0Collections"] = GC.CollectionCount(0),
            ["gen1Collections"] = GC.CollectionCount(1),
            ["gen2Collections"] = GC.CollectionCount(2),
        };
        var text = new StringBuilder()
            .AppendLine($"name:       {system.Name}")
            .AppendLine($"address:    {address}")
            .AppendLine($"uptime:     {system.Uptime:d\\.hh\\:mm\\:ss}")
            .AppendLine($"akka:       {data["akkaVersion"]} on {data["runtime"]}")
            .AppendLine($"dispatcher: {dispatcher}; {Environment.ProcessorCount} processors; thread pool {ThreadPool.ThreadCount} threads ({ThreadPool.PendingWorkItemCount} queued items)")
            .AppendLine($"memory:     managed {GC.GetTotalMemory(false) / 1048576.0:0.0} MiB, working set {Environment.WorkingSet / 1048576.0:0.0} MiB; GC gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        return new InspectorReply(text.ToString().TrimEnd(), data);
    }
}
