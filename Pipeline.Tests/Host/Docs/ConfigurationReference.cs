using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Pipeline.Host.Hosting;

namespace Pipeline.Tests.Host.Docs;

/// <summary>
/// Builds README.md's configuration reference from <c>hocon/reference.conf</c> and reads it back.
/// Akka's HOCON parser keeps no comments, so a line scanner of the file supplies the comment above
/// each key (and the default as written, quotes included); the tests hold the scanner's key set to
/// the one Akka's parser sees, so the two can never disagree silently.
/// </summary>
internal static partial class ConfigurationReference
{
    public const string StartMarker = "<!-- config-reference:start -->";
    public const string EndMarker = "<!-- config-reference:end -->";
    public const string UpdateVariable = "PIPELINE_UPDATE_README";
    public const string RegenerateCommand = "PIPELINE_UPDATE_README=1 dotnet test Pipeline.Tests --filter FullyQualifiedName~ConfigurationReference";

    private static readonly string[] Roots = ["pipeline", "akka"];

    /// <summary>Every leaf path under <paramref name="root"/> as Akka's parser sees it, with its value normalised.</summary>
    public static IReadOnlyDictionary<string, string> Leaves(Config config, string root)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(config.GetValue(root), root, leaves);
        return leaves;
    }

    /// <summary>The value of HOCON text <paramref name="value"/> (as written after <c>key = </c>), normalised like <see cref="Leaves"/>.</summary>
    public static string Normalise(string value)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(ConfigurationFactory.ParseString("x = " + value).GetValue("x"), "x", leaves);
        return leaves.Count == 1 && leaves.TryGetValue("x", out var normalised) ? normalised : string.Join(", ", leaves.Select(l => $"{l.Key}={l.Value}"));
    }

    /// <summary>Every key the scanner finds in <paramref name="referenceText"/> under the documented roots, in file order.</summary>
    public static IReadOnlyList<ConfigurationKey> Scan(string referenceText)
    {
        var keys = new List<ConfigurationKey>();
        var frames = new List<Frame>();
        var pending = new List<string>();

        foreach (var raw in referenceText.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                pending.Clear();
                continue;
            }

            if (line.StartsWith('#'))
            {
                var text = line.TrimStart('#').Trim();
                if (!SectionMarker().IsMatch(text)) pending.Add(text);
                continue;
            }

            var comment = string.Join(' ', pending.Where(p => p.Length > 0));
            pending.Clear();

            if (line == "}")
            {
                if (frames.Count == 0) throw new FormatException("reference.conf: a '}' closes no block");
                var closed = frames[^1];
                frames.RemoveAt(frames.Count - 1);
                if (closed.Children == 0 && IsDocumented(closed.Path))
                {
                    keys.Add(Key(closed.Path, "{ }", closed.Comment, frames));
                }

                continue;
            }

            var open = OpenBlock().Match(line);
            if (open.Success)
            {
                var path = Join(frames, open.Groups["name"].Value);
                if (frames.Count > 0)
                {
                    frames[^1].Children++;
                    if (comment.Length > 0) frames[^1].Comments.Add(comment);
                }

                frames.Add(new Frame(path, comment));
                continue;
            }

            var assignment = Assignment().Match(line);
            if (!assignment.Success) throw new FormatException($"reference.conf: cannot read the line '{line}'");

            var keyPath = Join(frames, assignment.Groups["name"].Value);
            if (frames.Count > 0) frames[^1].Children++;
            if (IsDocumented(keyPath)) keys.Add(Key(keyPath, assignment.Groups["value"].Value.Trim(), comment, frames));
            if (comment.Length > 0 && frames.Count > 0) frames[^1].Comments.Add(comment);
        }

        if (frames.Count > 0) throw new FormatException($"reference.conf: block {frames[^1].Path} is never closed");
        return keys;
    }

    /// <summary>The Markdown between the markers: one table per block, full dotted paths.</summary>
    public static string Render(IReadOnlyList<ConfigurationKey> keys)
    {
        var byPath = PipelineConfigLoader.EnvironmentMappings
            .SelectMany(m => m.Paths.Select(p => (Path: p, m.Variable)))
            .GroupBy(m => m.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(m => m.Variable).ToArray(), StringComparer.Ordinal);

        var md = new StringBuilder();
        md.Append(StartMarker).Append('\n');
        md.Append("<!-- Generated from hocon/reference.conf; do not edit by hand. Regenerate with:\n     ")
            .Append(RegenerateCommand).Append(" -->\n");
        foreach (var group in keys.GroupBy(k => k.Group))
        {
            md.Append('\n').Append("#### `").Append(group.Key).Append("`\n\n");
            if (group.Key.EndsWith(".kafka-clients", StringComparison.Ordinal))
            {
                md.Append("librdkafka properties, handed to the client unchanged (names as in librdkafka's CONFIGURATION.md); ")
                    .Append("any other librdkafka property may be added to this block. These are the ones `reference.conf` sets.\n\n");
            }
            else if (group.Key == "akka")
            {
                md.Append("Akka.NET settings the project overrides (every other Akka default applies unchanged).\n\n");
            }

            md.Append("| key | default | meaning |\n|---|---|---|\n");
            foreach (var key in group)
            {
                var meaning = key.Meaning;
                if (byPath.TryGetValue(key.Path, out var variables))
                {
                    meaning += (meaning.Length > 0 ? " " : "") + "Environment: " + string.Join(", ", variables.Select(v => $"`{v}`")) + ".";
                }

                md.Append("| `").Append(key.Path).Append("` | `").Append(Escape(key.Default)).Append("` | ").Append(Escape(meaning)).Append(" |\n");
            }
        }

        md.Append('\n').Append(EndMarker);
        return md.ToString();
    }

    /// <summary>The text between (and including) the markers in <paramref name="readme"/>; null when either marker is missing.</summary>
    public static string? Section(string readme)
    {
        var start = readme.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = readme.IndexOf(EndMarker, StringComparison.Ordinal);
        return start < 0 || end < start ? null : readme[start..(end + EndMarker.Length)];
    }

    /// <summary>The (path, default) rows of a rendered section, in order, defaults unescaped.</summary>
    public static IReadOnlyList<(string Path, string Default)> Rows(string section) =>
        section.ReplaceLineEndings("\n").Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(Cells)
            .Where(c => c.Count >= 2)
            .Select(c => (c[0].Trim('`'), c[1].Trim('`')))
            .ToList();

    /// <summary>The backquoted names in the first column of the Markdown table whose header starts with <paramref name="header"/>.</summary>
    public static IReadOnlySet<string> FirstColumnNames(string readme, string header)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lines = readme.ReplaceLineEndings("\n").Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith(header, StringComparison.Ordinal));
        if (at < 0) return names;
        for (var i = at + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            foreach (Match name in Backquoted().Matches(Cells(lines[i])[0])) names.Add(name.Groups[1].Value);
        }

        return names;
    }

    private static ConfigurationKey Key(string path, string value, string comment, List<Frame> frames)
    {
        var name = path[(path.LastIndexOf('.') + 1)..];
        var meaning = comment.Length > 0 ? Summary(comment) : Borrowed(name, frames);
        return new ConfigurationKey(path, value, meaning, GroupOf(path));
    }

    // A key without its own comment shares one written above a sibling or an enclosing block
    // ("min-backoff / max-backoff / random-factor", "every rule has enabled and weight"): take the
    // sentences of the nearest such comment that name the key, else the nearest comment's summary.
    private static string Borrowed(string name, List<Frame> frames)
    {
        // The root frame's siblings are whole blocks about other things (scoring, alerting, ...), too far away to speak for this key.
        var candidates = Enumerable.Range(frames.Count == 1 ? 0 : 1, frames.Count == 1 ? 1 : frames.Count - 1).Reverse()
            .SelectMany(i => Enumerable.Reverse(frames[i].Comments).Append(frames[i].Comment))
            .Where(c => c.Length > 0)
            .ToList();
        var mention = new Regex($@"(?<![A-Za-z0-9_.-]){Regex.Escape(name)}(?![A-Za-z0-9_-])");
        foreach (var candidate in candidates)
        {
            var sentences = Sentences(candidate).Where(s => mention.IsMatch(s)).ToList();
            if (sentences.Count > 0) return string.Join(' ', sentences);
        }

        return candidates.Count > 0 ? Summary(candidates[0]) : "";
    }

    // The first sentence, plus the sentences that state a unit, the allowed range or what an empty value means
    // (a sentence opening with a number is a range or a special value: "1s - 7d.", "0 disables.").
    private static string Summary(string comment)
    {
        var sentences = Sentences(comment);
        var summary = string.Join(' ', sentences.Take(1).Concat(sentences.Skip(1).Where(s => RangeSentence().IsMatch(s))));
        var colon = ListIntro().Match(comment);
        if (!colon.Success) return summary;

        // "How offsets reach the broker:\n  store-and-auto-commit  ...\n  synchronous  ...": name the alternatives.
        var options = ListOption().Matches(comment[colon.Index..]).Select(m => $"`{m.Groups["option"].Value}`").ToList();
        return $"{summary.TrimEnd('.')}: {string.Join(" or ", options)}.";
    }

    private static List<string> Sentences(string comment)
    {
        // A colon ending a comment line introduces a list of alternatives: the sentence before it is the meaning.
        var colon = ListIntro().Match(comment);
        var text = colon.Success ? comment[..colon.Index].TrimEnd() : comment;
        return SentenceEnd().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }

    private static string GroupOf(string path)
    {
        var parts = path.Split('.');
        if (parts[0] != "pipeline") return parts[0];
        var clients = Array.IndexOf(parts, "kafka-clients");
        if (clients > 0) return string.Join('.', parts[..(clients + 1)]);
        if (parts.Length > 3 && parts[1] == "kafka") return string.Join('.', parts[..3]);
        return parts.Length > 2 ? string.Join('.', parts[..2]) : "pipeline";
    }

    private static bool IsDocumented(string path) => Roots.Any(r => path == r || path.StartsWith(r + ".", StringComparison.Ordinal));

    private static string Join(List<Frame> frames, string name) => frames.Count == 0 ? name : frames[^1].Path + "." + name;

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static List<string> Cells(string row) =>
        UnescapedPipe().Split(row.Trim().Trim('|')).Select(c => c.Trim().Replace("\\|", "|", StringComparison.Ordinal)).ToList();

    private static void Collect(HoconValue value, string path, Dictionary<string, string> leaves)
    {
        if (value.IsObject())
        {
            var items = value.GetObject().Items;
            if (items.Count == 0) leaves[path] = "{ }";
            foreach (var (name, child) in items) Collect(child, path + "." + name, leaves);
        }
        else if (value.IsArray())
        {
            leaves[path] = "[" + string.Join(", ", value.GetArray().Select(v => v.GetString())) + "]";
        }
        else
        {
            leaves[path] = value.GetString();
        }
    }

    [GeneratedRegex(@"^-{3}.*-{3}$")]
    private static partial Regex SectionMarker();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_.-]+)\s*\{$")]
    private static partial Regex OpenBlock();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_.""-]+)\s*=\s*(?<value>.+)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"(?<=[a-z0-9)\]""'%]\.)\s+(?=[A-Z0-9(`])")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@":\s+(?=[a-z-]+\s{2,})")]
    private static partial Regex ListIntro();

    [GeneratedRegex(@"(?<=^|:\s+|\.\s+)(?<option>[a-z-]+)\s{2,}")]
    private static partial Regex ListOption();

    [GeneratedRegex(@"^(Unit|Units|Allowed|Range|In [\[(]|Milliseconds|Count|Duration|Positive|At least|Any \d|Boolean|Non-empty|Strings|Empty|One of|\d)")]
    private static partial Regex RangeSentence();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Backquoted();

    private sealed class Frame(string path, string comment)
    {
        public string Path { get; } = path;

        public string Comment { get; } = comment;

        public List<string> Comments { get; } = [];

        public int Children { get; set; }
    }
}
