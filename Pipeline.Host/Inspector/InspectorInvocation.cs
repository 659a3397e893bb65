using System.Globalization;

namespace Pipeline.Host.Inspector;

/// <summary>One parsed command: which command of which palette, and the switches given.</summary>
public sealed class InspectorInvocation
{
    private readonly IReadOnlyDictionary<string, string?> _switches;

    private InspectorInvocation(string palette, InspectorCommand command, IReadOnlyDictionary<string, string?> switches)
    {
        Palette = palette;
        Command = command;
        _switches = switches;
    }

    /// <summary>The palette name.</summary>
    public string Palette { get; }

    /// <summary>The command definition.</summary>
    public InspectorCommand Command { get; }

    /// <summary>
    /// Parses the tokens after the command word against <paramref name="command"/>'s switches.
    /// Returns null and sets <paramref name="error"/> when a switch is unknown, lacks its value or
    /// a stray word is given.
    /// </summary>
    public static InspectorInvocation? Parse(string palette, InspectorCommand command, IReadOnlyList<string> tokens, out string? error)
    {
        var switches = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var argument = command.Arguments.FirstOrDefault(a => a.Switch == token);
            if (argument is null)
            {
                var allowed = command.Arguments.Count == 0 ? "it takes none" : "allowed: " + string.Join(", ", command.Arguments.Select(a => a.Switch));
                error = token.StartsWith('-')
                    ? $"'{palette} {command.Name}' does not know the switch {token} ({allowed})"
                    : $"'{palette} {command.Name}' does not take the word '{token}' ({allowed})";
                return null;
            }

            if (argument.TakesValue)
            {
                if (i + 1 >= tokens.Count)
                {
                    error = $"switch {token} of '{palette} {command.Name}' needs a {argument.Name}";
                    return null;
                }

                switches[token] = tokens[++i];
            }
            else
            {
                switches[token] = null;
            }
        }

        error = null;
        return new InspectorInvocation(palette, command, switches);
    }

    /// <summary>True when the bare switch (or a switch with a value) was given.</summary>
    public bool Has(string @switch) => _switches.ContainsKey(@switch);

    /// <summary>The switch's value, or its documented default.</summary>
    public string? Value(string @switch) =>
        _switches.TryGetValue(@switch, out var v) && v is not null ? v : Command.Arguments.FirstOrDefault(a => a.Switch == @switch)?.Default;

    /// <summary>The switch's value as an integer in [min, max].</summary>
    /// <exception cref="InspectorUsageException">The value is not such an integer.</exception>
    public int Int(string @switch, int min, int max)
    {
        var s = Value(@switch) ?? throw new InspectorUsageException($"switch {@switch} needs a value");
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new InspectorUsageException($"switch {@switch} must be an integer in [{min}, {max}], got '{s}'");
        }

        return v;
    }
}
