using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Host.Inspector;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>pbm [host:port] [command …]</c>: the inspector client. With a command it runs it once, prints
/// the reply (<c>--json</c>: the raw response lines) and exits 0, or 1 on an error reply or when the
/// host cannot be reached. Without a command it opens a prompt with history and tab completion
/// from the host's <c>help</c>. Options: <c>--token</c> (else <c>PIPELINE_INSPECTOR_TOKEN</c>),
/// <c>--timeout</c> (connect and first reply, default 10s); <c>--confirm</c> is passed on to the
/// command. The address defaults to 127.0.0.1:9110.
/// </summary>
public static class PbmCommand
{
    /// <summary>Where <c>pbm</c> connects when no address is given.</summary>
    public const string DefaultAddress = "127.0.0.1:9110";

    /// <summary>Runs the client; returns the process exit code.</summary>
    public static async Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var json = args.Flag("json");
        var token = args.String("token") ?? Program.EnvironmentVariables().GetValueOrDefault(InspectorSettings.TokenVariable);
        var timeout = args.Duration("timeout", TimeSpan.FromSeconds(10));
        var words = args.Positional.ToList();
        if (args.Has("confirm"))
        {
            // CommandLineArgs reads "--confirm x" as an option with a value; give the word back.
            words.Add("--confirm");
            var value = ConfirmValue(args);
            if (value is not null) words.Add(value);
        }

        args.EnsureAllUsed();
        var address = DefaultAddress;
        if (words.Count > 0 && LooksLikeAddress(words[0]))
        {
            address = words[0];
            words.RemoveAt(0);
        }

        var (host, port) = SplitAddress(address);
        InspectorClient client;
        try
        {
            client = await InspectorClient.ConnectAsync(host, port, token, timeout, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or IOException)
        {
            await stderr.WriteLineAsync($"error: cannot reach the inspector at {address}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (client.ConfigureAwait(false))
        {
            if (words.Count > 0) return await RunOnceAsync(client, words, json, stdout, stderr, ct).ConfigureAwait(false);
            return await InteractiveAsync(client, address, json, stdout, stderr, ct).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunOnceAsync(InspectorClient client, IReadOnlyList<string> words, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var failed = false;
        try
        {
            await foreach (var (raw, response) in client.SendAsync(words, ct).ConfigureAwait(false))
            {
                if (json)
                {
                    await stdout.WriteLineAsync(raw).ConfigureAwait(false);
                }
                else if (response.Kind == "error")
                {
                    await stderr.WriteLineAsync($"error: {response.Text}").ConfigureAwait(false);
                }
                else if (response.Text.Length > 0)
                {
                    await stdout.WriteLineAsync(response.Text).ConfigureAwait(false);
                }

                failed |= response.Kind == "error";
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C ends a streaming command such as log tail; that is success.
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"error: the inspector closed the connection: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return failed ? 1 : 0;
    }

    private static async Task<int> InteractiveAsync(InspectorClient client, string address, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var completions = await LoadCompletionsAsync(client, ct).ConfigureAwait(false);
        await stdout.WriteLineAsync($"connected to {address}; 'help' lists commands, 'exit' quits, Tab completes").ConfigureAwait(false);
        var editor = new PbmLineEditor(completions);
        var lastFailed = false;
        while (!ct.IsCancellationRequested)
        {
            var line = editor.ReadLine("pbm> ", stdout);
            if (line is null) break;
            var words = Split(line);
            if (words.Count == 0) continue;
            if (words[0] is "exit" or "quit") break;
            using var command = CancellationTokenSource.CreateLinkedTokenSource(ct);
            ConsoleCancelEventHandler stop = (_, e) =>
            {
                // Ctrl+C stops the running command (log tail), not the prompt.
                e.Cancel = true;
                command.Cancel();
            };
            Console.CancelKeyPress += stop;
            try
            {
                lastFailed = await RunOnceAsync(client, words, json, stdout, stderr, command.Token).ConfigureAwait(false) != 0;
            }
            finally
            {
                Console.CancelKeyPress -= stop;
            }
        }

        return lastFailed ? 1 : 0;
    }

    private static async Task<IReadOnlyList<string>> LoadCompletionsAsync(InspectorClient client, CancellationToken ct)
    {
        var result = new List<string> { "help", "exit" };
        await foreach (var (_, response) in client.SendAsync(["help"], ct).ConfigureAwait(false))
        {
            result.AddRange(Completions(response.Data));
        }

        return result;
    }

    /// <summary>Every "palette command" phrase and switch phrase in a <c>help</c> reply's data, for completion.</summary>
    public static IReadOnlyList<string> Completions(JsonNode? helpData)
    {
        var result = new List<string>();
        if (helpData?["palettes"] is not JsonArray palettes) return result;
        foreach (var palette in palettes)
        {
            var name = palette?["name"]?.GetValue<string>();
            if (name is null) continue;
            result.Add("help " + name);
            foreach (var command in palette!["commands"]?.AsArray() ?? [])
            {
                var phrase = $"{name} {command?["name"]?.GetValue<string>()}";
                result.Add(phrase);
                foreach (var a in command?["arguments"]?.AsArray() ?? []) result.Add($"{phrase} {a?["switch"]?.GetValue<string>()}");
            }
        }

        return result;
    }

    /// <summary>Splits a typed line into words; double quotes group words with spaces.</summary>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any) words.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any) words.Add(current.ToString());
        return words;
    }

    private static string? ConfirmValue(CommandLineArgs args)
    {
        try
        {
            return args.String("confirm");
        }
        catch (CommandLineException)
        {
            // A bare --confirm has no value.
            return null;
        }
    }

    private static bool LooksLikeAddress(string word)
    {
        var colon = word.LastIndexOf(':');
        return colon > 0 && int.TryParse(word[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536;
    }

    private static (string Host, int Port) SplitAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon].Trim('[', ']'), int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}
