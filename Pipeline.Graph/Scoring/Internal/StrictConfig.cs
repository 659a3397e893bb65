using System.Globalization;
using Akka.Configuration;

namespace Pipeline.Graph.Scoring.Internal;

/// <summary>
/// Reads settings keys with no fallback: a missing key, a value of the wrong type or a value out
/// of range fails with a <see cref="ConfigurationException"/> naming the full key, the value found
/// and the allowed range. Defaults belong in <c>hocon/reference.conf</c> only.
/// </summary>
internal static class StrictConfig
{
    public static ConfigurationException Invalid(string key, object? value, string allowed) =>
        new($"{key} = {Format(value)} is invalid: {allowed}");

    public static double Double(Config config, string key, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        var raw = Scalar(config, key);
        var range = $"{(minExclusive ? "(" : "[")}{Format(min)}, {Format(max)}{(maxExclusive ? ")" : "]")}";
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            throw Invalid(key, raw, $"expected a number in {range}");
        }

        var aboveMin = minExclusive ? v > min : v >= min;
        var belowMax = maxExclusive ? v < max : v <= max;
        return aboveMin && belowMax ? v : throw Invalid(key, raw, $"expected a number in {range}");
    }

    public static long Long(Config config, string key, long min, long max)
    {
        var raw = Scalar(config, key);
        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw Invalid(key, raw, $"expected an integer in [{min}, {max}]");
    }

    public static int Int(Config config, string key, int min, int max) => (int)Long(config, key, min, max);

    public static bool Bool(Config config, string key)
    {
        var raw = Scalar(config, key);
        return raw.ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Invalid(key, raw, "expected on/off, true/false or yes/no"),
        };
    }

    public static string OneOf(Config config, string key, params string[] allowed)
    {
        var raw = Scalar(config, key);
        return allowed.Contains(raw, StringComparer.Ordinal)
            ? raw
            : throw Invalid(key, raw, $"expected one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");
    }

    public static TimeSpan Duration(Config config, string key, TimeSpan min, TimeSpan max)
    {
        var raw = Scalar(config, key);
        TimeSpan v;
        try
        {
            v = config.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
        {
            throw new ConfigurationException($"{key} = \"{raw}\" is invalid: expected a duration such as 500ms, 30s, 1m or 1h", e);
        }

        return v >= min && v <= max ? v : throw Invalid(key, raw, $"expected a duration in [{min}, {max}]");
    }

    /// <summary>The entries of an object-valued key (possibly empty); fails when the key is missing or not an object.</summary>
    public static IReadOnlyList<KeyValuePair<string, Akka.Configuration.Hocon.HoconValue>> Object(Config config, string key)
    {
        Require(config, key);
        var value = config.GetValue(key);
        if (value is null || !value.IsObject())
        {
            throw Invalid(key, value?.ToString(), "expected an object { name = value, ... }");
        }

        return value.GetObject().Items.ToList();
    }

    private static string Scalar(Config config, string key)
    {
        Require(config, key);
        var value = config.GetValue(key);
        if (value is null || value.IsObject() || value.IsArray() || !value.IsString())
        {
            throw Invalid(key, value?.ToString(), "expected a single value");
        }

        return value.GetString()?.Trim() ?? throw Invalid(key, null, "expected a single value");
    }

    private static void Require(Config config, string key)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"{key} is missing; every setting must be present (defaults live in hocon/reference.conf)");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => $"\"{s}\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "(none)",
    };
}
