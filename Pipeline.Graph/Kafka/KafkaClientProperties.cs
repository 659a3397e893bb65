using System.Collections;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// The librdkafka properties of one client, taken from a HOCON <c>kafka-clients</c> block and
/// handed unchanged to Confluent.Kafka's builders. HOCON spellings librdkafka does not read are
/// fixed or refused here, at startup, instead of surfacing as a runtime error:
/// <list type="bullet">
/// <item>booleans written <c>on</c>/<c>off</c>/<c>yes</c>/<c>no</c> become <c>true</c>/<c>false</c>;</item>
/// <item>values with duration units (<c>10s</c>) are refused: librdkafka wants plain milliseconds;</item>
/// <item>unknown keys and invalid values are refused by asking librdkafka itself (<see cref="Validate"/>).</item>
/// </list>
/// <see cref="ToString"/> masks secrets, so the properties can be logged.
/// </summary>
public sealed partial class KafkaClientProperties : IReadOnlyDictionary<string, string>
{
    private const string Masked = "***";
    private readonly SortedDictionary<string, string> _values;

    private KafkaClientProperties(SortedDictionary<string, string> values, string origin)
    {
        _values = values;
        Origin = origin;
    }

    /// <summary>Where the properties came from (a HOCON path), used in error messages.</summary>
    public string Origin { get; }

    /// <summary>An empty set of properties.</summary>
    public static KafkaClientProperties Empty(string origin) => new(new SortedDictionary<string, string>(StringComparer.Ordinal), origin);

    /// <summary>
    /// Flattens a <c>kafka-clients</c> block: every leaf becomes one property whose key is the
    /// dotted path, so both <c>bootstrap.servers = x</c> and <c>"bootstrap.servers" = x</c> work.
    /// </summary>
    /// <param name="block">The block itself (may be empty).</param>
    /// <param name="origin">Its HOCON path, for error messages (e.g. <c>pipeline.kafka.consumer.kafka-clients</c>).</param>
    /// <exception cref="KafkaConfigurationException">A value uses duration units or is a list.</exception>
    public static KafkaClientProperties FromConfig(Config? block, string origin)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (block is not null && !block.IsEmpty)
        {
            Flatten(block.Root, string.Empty, values, origin);
        }

        return new KafkaClientProperties(values, origin);
    }

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (normalised like HOCON values).</summary>
    public KafkaClientProperties With(string key, string value)
    {
        var copy = new SortedDictionary<string, string>(_values, StringComparer.Ordinal)
        {
            [key] = Normalise(key, value, Origin),
        };
        return new KafkaClientProperties(copy, Origin);
    }

    /// <summary>A copy with <paramref name="key"/> set only when it is not set yet.</summary>
    public KafkaClientProperties WithDefault(string key, string value) =>
        _values.ContainsKey(key) ? this : With(key, value);

    /// <summary>
    /// Asks librdkafka to accept every property, exactly as building a client would, without
    /// starting one. Keys starting with <c>dotnet.</c> belong to Confluent.Kafka and are skipped.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The first unknown key or invalid value, named with its origin.</exception>
    public void Validate()
    {
        var conf = LibRdKafka.ConfNew();
        try
        {
            foreach (var (key, value) in _values)
            {
                if (key.StartsWith("dotnet.", StringComparison.Ordinal)) continue;
                var result = LibRdKafka.TrySet(conf, key, value, out var error);
                if (result == LibRdKafka.ConfResult.Unknown)
                {
                    throw new KafkaConfigurationException($"{Origin}.\"{key}\": librdkafka has no such property");
                }

                if (result != LibRdKafka.ConfResult.Ok)
                {
                    var shown = IsSecret(key) ? Masked : value;
                    throw new KafkaConfigurationException($"{Origin}.\"{key}\" = '{shown}' is invalid: {error}");
                }
            }
        }
        finally
        {
            LibRdKafka.ConfDestroy(conf);
        }
    }

    /// <summary>True for keys whose values must never be logged (passwords, secrets, SASL and key material).</summary>
    public static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("sasl.", StringComparison.OrdinalIgnoreCase)
        || key.Contains("key.pem", StringComparison.OrdinalIgnoreCase)
        || key.Contains("keystore", StringComparison.OrdinalIgnoreCase);

    /// <summary>The properties as <c>key=value</c> pairs with secrets masked.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        foreach (var (key, value) in _values)
        {
            if (sb.Length > 1) sb.Append(", ");
            sb.Append(key).Append('=').Append(IsSecret(key) ? Masked : value);
        }

        return sb.Append('}').ToString();
    }

    /// <inheritdoc />
    public string this[string key] => _values[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void Flatten(HoconValue value, string prefix, SortedDictionary<string, string> into, string origin)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                Flatten(child, prefix.Length == 0 ? key : prefix + "." + key, into, origin);
            }

            return;
        }

        if (value.IsArray())
        {
            throw new KafkaConfigurationException($"{origin}.\"{prefix}\" is a list; librdkafka wants one string (join lists with commas)");
        }

        if (into.ContainsKey(prefix))
        {
            // HOCON keeps `a.b = x` (nested) and `"a.b" = y` (one quoted key) apart; librdkafka would get one of them silently.
            throw new KafkaConfigurationException($"{origin}.\"{prefix}\" is set twice, once as a quoted key and once as a dotted path; keep one spelling");
        }

        into[prefix] = Normalise(prefix, value.GetString(), origin);
    }

    private static string Normalise(string key, string value, string origin)
    {
        var trimmed = value.Trim();
        switch (trimmed.ToLowerInvariant())
        {
            case "on" or "yes" or "true":
                return "true";
            case "off" or "no" or "false":
                return "false";
        }

        if (DurationWithUnit().IsMatch(trimmed))
        {
            throw new KafkaConfigurationException(
                $"{origin}.\"{key}\" = '{trimmed}' has a duration unit; librdkafka wants a plain number (milliseconds for *.ms keys)");
        }

        return trimmed;
    }

    [GeneratedRegex(@"^\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|nanos?|micros?|millis?|milliseconds?|seconds?|minutes?|hours?|days?)$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationWithUnit();
}
