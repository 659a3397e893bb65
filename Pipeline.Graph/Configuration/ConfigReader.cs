using System.Runtime.CompilerServices;
using Akka.Configuration;

namespace Pipeline.Graph.Configuration;

/// <summary>
/// Typed, range-checked reads of HOCON keys for settings classes. Every read requires the key:
/// defaults live only in <c>hocon/reference.conf</c>, never in code. Errors name the full path,
/// the value and the allowed range.
/// </summary>
public static class ConfigReader
{
    /// <summary>Fails unless <paramref name="key"/> is present.</summary>
    public static void Require(Config config, string key)
    {
        if (!config.HasPath(key)) throw new ConfigurationException($"missing setting '{PathOf(config, key)}' (defaults live in hocon/reference.conf)");
    }

    /// <summary>A string.</summary>
    public static string String(Config config, string key, bool allowEmpty = true)
    {
        Require(config, key);
        var v = config.GetString(key) ?? string.Empty;
        if (!allowEmpty && v.Length == 0) throw new ConfigurationException($"setting '{PathOf(config, key)}' must not be empty");
        return v;
    }

    /// <summary>One of <paramref name="allowed"/>.</summary>
    public static string OneOf(Config config, string key, params string[] allowed)
    {
        var v = String(config, key);
        if (!allowed.Contains(v, StringComparer.Ordinal))
        {
            throw new ConfigurationException($"setting '{PathOf(config, key)}' = '{v}' must be one of: {string.Join(", ", allowed)}");
        }

        return v;
    }

    /// <summary>A boolean (<c>on/off</c>, <c>true/false</c>, <c>yes/no</c>).</summary>
    public static bool Bool(Config config, string key)
    {
        Require(config, key);
        try
        {
            return config.GetBoolean(key);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw new ConfigurationException($"setting '{PathOf(config, key)}' = '{config.GetString(key)}' must be a boolean");
        }
    }

    /// <summary>An integer in [min, max].</summary>
    public static int Int(Config config, string key, int min, int max) => (int)Long(config, key, min, max);

    /// <summary>A 64-bit integer in [min, max].</summary>
    public static long Long(Config config, string key, long min, long max)
    {
        Require(config, key);
        var text = config.GetString(key);
        if (!long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new ConfigurationException($"setting '{PathOf(config, key)}' = '{text}' must be an integer in [{min}, {max}]");
        }

        return v;
    }

    /// <summary>A finite number in [min, max].</summary>
    public static double Double(Config config, string key, double min, double max)
    {
        Require(config, key);
        var text = config.GetString(key);
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
        {
            throw new ConfigurationException($"setting '{PathOf(config, key)}' = '{text}' must be a number in [{min}, {max}]");
        }

        return v;
    }

    /// <summary>A duration with units (<c>200ms</c>, <c>5s</c>, <c>1m</c>) in [min, max].</summary>
    public static TimeSpan Duration(Config config, string key, TimeSpan min, TimeSpan max)
    {
        Require(config, key);
        TimeSpan v;
        try
        {
            v = config.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw new ConfigurationException($"setting '{PathOf(config, key)}' = '{config.GetString(key)}' must be a duration such as 200ms, 5s or 1m");
        }

        if (v < min || v > max) throw new ConfigurationException($"setting '{PathOf(config, key)}' = {v} must lie in [{min}, {max}]");
        return v;
    }

    /// <summary>A nested block; missing is an error. Errors of reads from the block name the block's full path.</summary>
    public static Config Block(Config config, string key)
    {
        Require(config, key);
        var block = config.GetConfig(key);
        s_blockPaths.AddOrUpdate(block, PathOf(config, key));
        return block;
    }

    /// <summary>
    /// <paramref name="key"/> with the path of the block <paramref name="config"/> came from when
    /// <see cref="Block"/> handed it out (<c>pipeline.embedded.producer.rate</c> rather than <c>rate</c>).
    /// </summary>
    public static string PathOf(Config config, string key) => s_blockPaths.TryGetValue(config, out var prefix) ? $"{prefix}.{key}" : key;

    // Blocks remember where they came from, for error messages; the table does not keep them alive.
    private static readonly ConditionalWeakTable<Config, string> s_blockPaths = new();
}
