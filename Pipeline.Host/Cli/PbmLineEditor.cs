namespace Pipeline.Host.Cli;

/// <summary>
/// The <c>pbm</c> prompt's line editor: typing, Backspace, Left/Right, Up/Down history and Tab
/// completion of command phrases. When input is redirected it reads plain lines instead.
/// </summary>
public sealed class PbmLineEditor(IReadOnlyList<string> completions)
{
    private readonly List<string> _history = [];

    /// <summary>Reads one line after <paramref name="prompt"/>; null at end of input (Ctrl+D on an empty line).</summary>
    public string? ReadLine(string prompt, TextWriter stdout)
    {
        stdout.Write(prompt);
        stdout.Flush();
        if (Console.IsInputRedirected) return Console.In.ReadLine();
        var buffer = new System.Text.StringBuilder();
        var cursor = 0;
        var historyIndex = _history.Count;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    stdout.WriteLine();
                    var line = buffer.ToString();
                    if (line.Trim().Length > 0) _history.Add(line);
                    return line;
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    buffer.Clear().Append(_history[--historyIndex]);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.DownArrow when historyIndex < _history.Count:
                    historyIndex++;
                    buffer.Clear().Append(historyIndex < _history.Count ? _history[historyIndex] : string.Empty);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.Tab:
                    var (completed, candidates) = Complete(buffer.ToString(), completions);
                    if (candidates.Count > 1 && completed == buffer.ToString())
                    {
                        stdout.WriteLine();
                        stdout.WriteLine(string.Join("   ", candidates));
                    }

                    buffer.Clear().Append(completed);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && buffer.Length == 0:
                    stdout.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar)) buffer.Insert(cursor++, key.KeyChar);
                    break;
            }

            Redraw(prompt, buffer.ToString(), cursor, stdout);
        }
    }

    /// <summary>
    /// Completes <paramref name="typed"/> against <paramref name="phrases"/>: a single match completes
    /// the next word (with a trailing space), several complete their common prefix. Returns the new
    /// line and the candidate next words.
    /// </summary>
    public static (string Line, IReadOnlyList<string> Candidates) Complete(string typed, IReadOnlyList<string> phrases)
    {
        var matches = phrases.Where(p => p.StartsWith(typed, StringComparison.Ordinal) && p.Length > typed.Length).ToList();
        // Complete one word at a time: "ac" → "actor ", not the whole "actor hierarchy -d".
        var nextWords = matches
            .Select(p =>
            {
                var end = p.IndexOf(' ', typed.Length + (typed.Length < p.Length && p[typed.Length] == ' ' ? 1 : 0));
                return end < 0 ? p : p[..end];
            })
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (nextWords.Count == 0) return (typed, []);
        if (nextWords.Count == 1) return (nextWords[0] + " ", nextWords);
        var prefix = nextWords[0];
        foreach (var w in nextWords) while (!w.StartsWith(prefix, StringComparison.Ordinal)) prefix = prefix[..^1];
        return (prefix.Length > typed.Length ? prefix : typed, nextWords.Select(w => w[(w.LastIndexOf(' ') + 1)..]).ToList());
    }

    private static void Redraw(string prompt, string line, int cursor, TextWriter stdout)
    {
        stdout.Write('\r');
        stdout.Write(prompt);
        stdout.Write(line);
        stdout.Write("\u001b[K");
        var back = line.Length - cursor;
        if (back > 0) stdout.Write($"\u001b[{back}D");
        stdout.Flush();
    }
}
