using System.Globalization;
using System.Text;
using Pipeline.Models.Drift;

namespace Pipeline.Host.Cli;

/// <summary>
/// The <c>drift</c> verb: runs ADWIN or DDM over a file of values, one per line, and prints the
/// 0-based indices of the drifts (and, for DDM, of every update in the warning zone) as one JSON
/// line: <c>{"detector":"adwin","n":2000,"drifts":[1023]}</c>.
/// </summary>
/// <remarks>
/// <code>
/// drift --detector adwin|ddm --input numbers.txt
///       [--delta 0.002 --clock 32 --max-buckets 5 --min-window 5 --grace 10]   (adwin)
///       [--warm-start 30 --warning 2.0 --drift-threshold 3.0]                  (ddm)
/// </code>
/// ADWIN reads finite numbers; DDM reads 0, 1, true or false. Blank lines are skipped but still
/// counted for line numbers; indices count values only. Parameter defaults are River's. A usage
/// error throws <see cref="CommandLineException"/> (exit code 2); an unreadable file or a bad line
/// prints one line naming the file and line to <c>stderr</c> and returns 1.
/// </remarks>
public static class DriftCommand
{
    private static readonly string[] AdwinOptionNames = { "delta", "clock", "max-buckets", "min-window", "grace" };
    private static readonly string[] DdmOptionNames = { "warm-start", "warning", "drift-threshold" };

    /// <summary>Runs the verb; returns 0 on success and 1 when the input cannot be read.</summary>
    /// <exception cref="CommandLineException">Missing or invalid options.</exception>
    public static async Task<int> RunAsync(CommandLineArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var detector = args.Required("detector");
        var input = args.Required("input");
        var isAdwin = detector switch
        {
            "adwin" => true,
            "ddm" => false,
            _ => throw new CommandLineException($"option --detector must be adwin or ddm, got '{detector}'"),
        };
        foreach (var name in isAdwin ? DdmOptionNames : AdwinOptionNames)
        {
            if (args.Has(name))
            {
                throw new CommandLineException($"option --{name} does not apply to --detector {detector}");
            }
        }

        var adwin = isAdwin ? new Adwin(ValidOptions(AdwinOptionsFrom(args))) : null;
        var ddm = isAdwin ? null : new Ddm(ValidOptions(DdmOptionsFrom(args)));
        args.EnsureAllUsed();

        var drifts = new List<long>();
        var warnings = new List<long>();
        long n = 0;
        try
        {
            using var reader = new StreamReader(input, Encoding.UTF8);
            long lineNumber = 0;
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                lineNumber++;
                var text = line.Trim();
                if (text.Length == 0)
                {
                    continue;
                }

                if (adwin is not null)
                {
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
                    {
                        return await FailAsync(stderr, $"{input}:{lineNumber}: expected a finite number, got '{Shorten(text)}'").ConfigureAwait(false);
                    }

                    if (adwin.Update(x))
                    {
                        drifts.Add(n);
                    }
                }
                else
                {
                    if (!TryParseBit(text, out var error))
                    {
                        return await FailAsync(stderr, $"{input}:{lineNumber}: expected 0, 1, true or false, got '{Shorten(text)}'").ConfigureAwait(false);
                    }

                    ddm!.Update(error);
                    if (ddm.DriftDetected)
                    {
                        drifts.Add(n);
                    }

                    if (ddm.WarningDetected)
                    {
                        warnings.Add(n);
                    }
                }

                n++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(stderr, $"{input}: cannot read the input file: {e.Message}").ConfigureAwait(false);
        }

        var json = new StringBuilder()
            .Append("{\"detector\":\"").Append(detector).Append("\",\"n\":").Append(n.ToString(CultureInfo.InvariantCulture))
            .Append(",\"drifts\":");
        AppendArray(json, drifts);
        if (ddm is not null)
        {
            json.Append(",\"warnings\":");
            AppendArray(json, warnings);
        }

        json.Append('}');
        await stdout.WriteLineAsync(json.ToString()).ConfigureAwait(false);
        return 0;
    }

    private static AdwinOptions AdwinOptionsFrom(CommandLineArgs args)
    {
        var river = new AdwinOptions();
        return new AdwinOptions
        {
            Delta = args.Double("delta", river.Delta, 0.0, 1.0),
            Clock = args.Int("clock", river.Clock, 1),
            MaxBuckets = args.Int("max-buckets", river.MaxBuckets, 2, AdwinOptions.MaxBucketsLimit),
            MinWindowLength = args.Int("min-window", river.MinWindowLength, 1),
            GracePeriod = args.Int("grace", river.GracePeriod, 0),
        };
    }

    private static DdmOptions DdmOptionsFrom(CommandLineArgs args)
    {
        var river = new DdmOptions();
        return new DdmOptions
        {
            WarmStart = args.Int("warm-start", river.WarmStart, 0),
            WarningThreshold = args.Double("warning", river.WarningThreshold, 0.0),
            DriftThreshold = args.Double("drift-threshold", river.DriftThreshold, 0.0),
        };
    }

    private static AdwinOptions ValidOptions(AdwinOptions options)
    {
        try
        {
            options.Validate();
            return options;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw UsageError(e);
        }
    }

    private static DdmOptions ValidOptions(DdmOptions options)
    {
        try
        {
            options.Validate();
            return options;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw UsageError(e);
        }
    }

    private static CommandLineException UsageError(ArgumentOutOfRangeException e)
    {
        var option = e.ParamName switch
        {
            nameof(AdwinOptions.Delta) => "delta",
            nameof(AdwinOptions.Clock) => "clock",
            nameof(AdwinOptions.MaxBuckets) => "max-buckets",
            nameof(AdwinOptions.MinWindowLength) => "min-window",
            nameof(AdwinOptions.GracePeriod) => "grace",
            nameof(DdmOptions.WarmStart) => "warm-start",
            nameof(DdmOptions.WarningThreshold) => "warning",
            nameof(DdmOptions.DriftThreshold) => "drift-threshold",
            _ => e.ParamName,
        };

        // The exception message ends with " (Parameter 'X')" and the actual value on a new line.
        var reason = e.Message.Split('\n')[0];
        var cut = reason.IndexOf(" (Parameter", StringComparison.Ordinal);
        return new CommandLineException($"option --{option}: {(cut >= 0 ? reason[..cut] : reason)}, got {Convert.ToString(e.ActualValue, CultureInfo.InvariantCulture)}");
    }

    private static bool TryParseBit(string text, out bool error)
    {
        switch (text.ToLowerInvariant())
        {
            case "1":
            case "true":
                error = true;
                return true;
            case "0":
            case "false":
                error = false;
                return true;
            default:
                error = false;
                return false;
        }
    }

    private static void AppendArray(StringBuilder json, List<long> values)
    {
        json.Append('[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                json.Append(',');
            }

            json.Append(values[i].ToString(CultureInfo.InvariantCulture));
        }

        json.Append(']');
    }

    private static async Task<int> FailAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"error: {message}").ConfigureAwait(false);
        return 1;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
