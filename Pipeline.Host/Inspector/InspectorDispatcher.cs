using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.Host.Inspector;

/// <summary>
/// Routes command words to the registered palettes and answers <c>help</c> from their definitions,
/// so what <c>help</c> lists is exactly what runs. Independent of the transport: the TCP server and
/// tests call it alike.
/// </summary>
public sealed class InspectorDispatcher
{
    private readonly Dictionary<string, IInspectorPalette> _palettes;

    /// <summary>Creates a dispatcher over <paramref name="palettes"/>.</summary>
    /// <exception cref="ArgumentException">Two palettes share a name, or a palette is named <c>help</c>.</exception>
    public InspectorDispatcher(IEnumerable<IInspectorPalette> palettes)
    {
        _palettes = new Dictionary<string, IInspectorPalette>(StringComparer.Ordinal);
        foreach (var palette in palettes)
        {
            if (palette.Name == "help" || !_palettes.TryAdd(palette.Name, palette))
            {
                throw new ArgumentException($"inspector palette name '{palette.Name}' is reserved or registered twice", nameof(palettes));
            }
        }
    }

    /// <summary>The palettes in name order.</summary>
    public IReadOnlyList<IInspectorPalette> Palettes => _palettes.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    /// <summary>True when <paramref name="words"/> name a command that replies until cancelled.</summary>
    public bool IsStreaming(IReadOnlyList<string> words) =>
        words.Count > 1 && _palettes.TryGetValue(words[0], out var palette) && palette.Commands.Any(c => c.Name == words[1] && c.Streaming);

    /// <summary>Runs <paramref name="words"/>; an unknown palette or command, or a bad switch, yields one error reply.</summary>
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(IReadOnlyList<string> words, [EnumeratorCancellation] CancellationToken ct)
    {
        if (words.Count == 0 || words[0] == "help")
        {
            yield return Help(words.Count > 1 ? words[1] : null);
            yield break;
        }

        if (!_palettes.TryGetValue(words[0], out var palette))
        {
            yield return InspectorReply.Error($"unknown command '{words[0]}'; palettes: {string.Join(", ", _palettes.Keys.Order(StringComparer.Ordinal))} (try 'help')");
            yield break;
        }

        var command = words.Count > 1 ? palette.Commands.FirstOrDefault(c => c.Name == words[1]) : null;
        if (command is null)
        {
            var what = words.Count > 1 ? $"unknown command '{palette.Name} {words[1]}'" : $"'{palette.Name}' needs a command";
            yield return InspectorReply.Error($"{what}; commands: {string.Join(", ", palette.Commands.Select(c => c.Name))}");
            yield break;
        }

        var invocation = InspectorInvocation.Parse(palette.Name, command, words.Skip(2).ToList(), out var error);
        if (invocation is null)
        {
            yield return InspectorReply.Error(error!);
            yield break;
        }

        await using var replies = palette.ExecuteAsync(invocation, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            InspectorReply reply;
            try
            {
                if (!await replies.MoveNextAsync().ConfigureAwait(false)) yield break;
                reply = replies.Current;
            }
            catch (InspectorUsageException ex)
            {
                reply = InspectorReply.Error(ex.Message);
            }

            yield return reply;
            if (reply.IsError) yield break;
        }
    }

    private InspectorReply Help(string? only)
    {
        var palettes = Palettes.Where(p => only is null || p.Name == only).ToList();
        if (palettes.Count == 0) return InspectorReply.Error($"unknown palette '{only}' (try 'help')");
        var text = new StringBuilder();
        var data = new JsonArray();
        foreach (var palette in palettes)
        {
            text.Append(palette.Name).Append(" — ").AppendLine(palette.Description);
            var commands = new JsonArray();
            foreach (var command in palette.Commands)
            {
                var usage = string.Join(' ', command.Arguments.Select(a => a.TakesValue ? $"[{a.Switch} {a.Name}]" : $"[{a.Switch}]"));
                text.Append("  ").Append(palette.Name).Append(' ').Append(command.Name);
                if (usage.Length > 0) text.Append(' ').Append(usage);
                text.AppendLine();
                text.Append("      ").AppendLine(command.Description);
                foreach (var a in command.Arguments)
                {
                    text.Append("      ").Append(a.Switch).Append(": ").Append(a.Description);
                    if (a.Default is not null) text.Append(" (default ").Append(a.Default).Append(')');
                    text.AppendLine();
                }

                commands.Add(new JsonObject
                {
                    ["name"] = command.Name,
                    ["description"] = command.Description,
                    ["streaming"] = command.Streaming,
                    ["arguments"] = new JsonArray(command.Arguments.Select(a => (JsonNode)new JsonObject
                    {
                        ["switch"] = a.Switch,
                        ["name"] = a.Name,
                        ["description"] = a.Description,
                        ["takesValue"] = a.TakesValue,
                        ["default"] = a.Default,
                    }).ToArray()),
                });
            }

            data.Add(new JsonObject { ["name"] = palette.Name, ["description"] = palette.Description, ["commands"] = commands });
        }

        if (only is null) text.AppendLine("help [palette] — this list");
        return new InspectorReply(text.ToString().TrimEnd(), new JsonObject { ["palettes"] = data });
    }
}
