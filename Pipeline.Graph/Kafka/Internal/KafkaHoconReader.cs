using Akka.Configuration;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// Reads the pipeline's own Kafka settings (not the <c>kafka-clients</c> pass-through) from a HOCON
/// block. Every key must be present: defaults live only in <c>hocon/reference.conf</c>, so a missing
/// key is a configuration error, never a silent fallback. Errors name the full HOCON path.
/// </summary>
internal static class KafkaHoconReader
{
    internal static void RequireBlock(Config? block, string origin)
    {
        if (block is null || block.IsEmpty)
        {
            throw new KafkaConfigurationException($"{origin} is missing or empty; load hocon/reference.conf as the fallback of your configuration");
        }
    }

    internal static TimeSpan Duration(Config block, string origin, string key)
    {
        Require(block, origin, key);
        try
        {
            return block.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception ex) when (ex is not KafkaConfigurationException)
        {
            throw new KafkaConfigurationException($"{origin}.{key} = '{Raw(block, key)}' is not a duration (write e.g. 50ms, 10s): {ex.Message}");
        }
    }

    internal static int Int(Config block, string origin, string key)
    {
        Require(block, origin, key);
        var raw = Raw(block, key);
        if (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new KafkaConfigurationException($"{origin}.{key} = '{raw}' is not a whole number");
        }

        return value;
    }

    internal static string String(Config block, string origin, string key)
    {
        Require(block, origin, key);
        return Raw(block, key);
    }

    internal static void CheckRange(string origin, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new KafkaConfigurationException($"{origin}.{key} = {value} is out of range: allowed {min}–{max}");
        }
    }

    internal static void CheckRange(string origin, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            throw new KafkaConfigurationException($"{origin}.{key} = {Show(value)} is out of range: allowed {Show(min)}–{Show(max)}");
        }
    }

    internal static string Show(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0.###}ms" : $"{value.TotalSeconds:0.###}s";

    private static void Require(Config block, string origin, string key)
    {
        if (!block.HasPath(key))
        {
            throw new KafkaConfigurationException($"{origin}.{key} is missing; its default belongs in hocon/reference.conf");
        }
    }

    private static string Raw(Config block, string key) => block.GetString(key)?.Trim() ?? string.Empty;
}
