using System.Globalization;

namespace Pipeline.Host.Cli;

/// <summary>
/// The options of one CLI verb: <c>--name value</c>, <c>--name=value</c> and bare <c>--flag</c>
/// switches, plus positional arguments. Every getter names the option in its error so a user sees
/// exactly what to fix; unknown options are reported by <see cref="EnsureAllUsed"/>.
/// </summary>
public sealed class CommandLineArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandLineArgs(IReadOnlyList<string> positional) => Positional = positional;

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/>; a value starting with <c>--</c> is never taken as an option's value.</summary>
    public static CommandLineArgs Parse(IEnumerable<string> args)
    {
        var positional = new List<string>();
        var list = args.ToList();
        var options = new List<KeyValuePair<string, string?>>();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                positional.Add(a);
                continue;
            }

            var eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                options.Add(new(a[2..eq], a[(eq + 1)..]));
            }
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options.Add(new(a[2..], list[++i]));
            }
            else
            {
                options.Add(new(a[2..], null));
            }
        }

        var result = new CommandLineArgs(positional);
        foreach (var (k, v) in options)
        {
            if (!result._options.TryAdd(k, v))
            {
                throw new CommandLineException($"option --{k} is given more than once");
            }
        }

        return result;
    }

    /// <summary>True when the switch or option is present.</summary>
    public bool Has(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    /// <summary>A switch: present without a value, or with true/false.</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return false;
        return v switch
        {
            null => true,
            "true" or "yes" or "on" or "1" => true,
            "false" or "no" or "off" or "0" => false,
            _ => throw new CommandLineException($"option --{name} takes no value or true/false, got '{v}'"),
        };
    }

    /// <summary>A string option, or <paramref name="fallback"/> when absent.</summary>
    public string? String(string name, string? fallback = null)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return fallback;
        return v ?? throw new CommandLineException($"option --{name} needs a value");
    }

    /// <summary>A required string option.</summary>
    public string Required(string name) =>
        String(name) ?? throw new CommandLineException($"option --{name} is required");

    /// <summary>A 64-bit integer option within [min, max].</summary>
    public long Long(string name, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new CommandLineException($"option --{name} must be an integer in [{min}, {max}], got '{s}'");
        }

        return v;
    }

    /// <summary>A 32-bit integer option within [min, max].</summary>
    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        (int)Long(name, fallback, min, max);

    /// <summary>A finite floating-point option within [min, max].</summary>
    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
        {
            throw new CommandLineException($"option --{name} must be a number in [{min}, {max}], got '{s}'");
        }

        return v;
    }

    /// <summary>A duration option such as <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var s = String(name);
        if (s is null) return fallback;
        return TryParseDuration(s, out var d)
            ? d
            : throw new CommandLineException($"option --{name} must be a duration like 500ms, 30s, 5m or 1h, got '{s}'");
    }

    /// <summary>Fails with the first option that no getter asked for, so typos never pass silently.</summary>
    public void EnsureAllUsed()
    {
        foreach (var k in _options.Keys)
        {
            if (!_used.Contains(k)) throw new CommandLineException($"unknown option --{k}");
        }
    }

    private static bool TryParseDuration(string s, out TimeSpan d)
    {
        d = default;
        var (num, unit) = s.EndsWith("ms", StringComparison.Ordinal) ? (s[..^2], 0.001)
            : s.EndsWith('s') ? (s[..^1], 1.0)
            : s.EndsWith('m') ? (s[..^1], 60.0)
            : s.EndsWith('h') ? (s[..^1], 3600.0)
            : (s, 1.0);
        if (!double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || !double.IsFinite(v)) return false;
        d = TimeSpan.FromSeconds(v * unit);
        return true;
    }
}
