using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Scoring.Internal;

/// <summary>
/// INTERNAL API. The features of one scored row by name, in the model's order, finite values only.
/// Shares the model's name list instead of hashing every name into a dictionary per row: a row is
/// written to the store as JSON and looked up by a name or two at most, so a linear lookup over a
/// few dozen names is cheaper than building a hash table for every transaction.
/// </summary>
/// <remarks>
/// Built over an <see cref="AccountFeatures"/> (immutable), a row copies nothing until it is first read:
/// the scoring stage makes one row per transaction, and where nothing reads it (no store, a filtered
/// output) the copy of a few dozen values would be allocated for nothing.
/// </remarks>
internal sealed class FeatureRow : IReadOnlyDictionary<string, double>
{
    private readonly IReadOnlyList<string> _names;
    private readonly AccountFeatures? _source;
    private Entries? _entries;

    /// <summary>The finite entries of <paramref name="values"/> under the names at the same positions.</summary>
    public FeatureRow(IReadOnlyList<string> names, ReadOnlySpan<double> values)
    {
        _names = names;
        _entries = Entries.Of(names, values);
    }

    /// <summary>The finite features of <paramref name="features"/> under <paramref name="names"/> (its dense order), read when first needed.</summary>
    public FeatureRow(IReadOnlyList<string> names, AccountFeatures features)
    {
        if (features.FeatureCount != names.Count)
        {
            throw new ArgumentException($"{names.Count} feature names for {features.FeatureCount} features", nameof(features));
        }

        _names = names;
        _source = features;
    }

    public int Count => Read().Values.Length;

    public IEnumerable<string> Keys => Read().Names;

    public IEnumerable<double> Values => Read().Values;

    public double this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no feature '{key}' in the row");

    public bool ContainsKey(string key) => IndexOf(Read(), key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var entries = Read();
        var index = IndexOf(entries, key);
        value = index >= 0 ? entries.Values[index] : 0;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        var entries = Read();
        for (var i = 0; i < entries.Values.Length; i++) yield return new KeyValuePair<string, double>(entries.Names[i], entries.Values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Readers on two threads may both build the entries; they are equal, and either one is kept.
    private Entries Read()
    {
        if (_entries is { } entries) return entries;
        var source = _source!;
        Span<double> values = _names.Count <= 256 ? stackalloc double[_names.Count] : new double[_names.Count];
        source.WriteTo(values);
        entries = Entries.Of(_names, values);
        _entries = entries;
        return entries;
    }

    private static int IndexOf(Entries entries, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < entries.Values.Length; i++)
        {
            if (string.Equals(entries.Names[i], key, StringComparison.Ordinal)) return i;
        }

        return -1;
    }

    private sealed class Entries(IReadOnlyList<string> names, double[] values)
    {
        public IReadOnlyList<string> Names { get; } = names;

        public double[] Values { get; } = values;

        public static Entries Of(IReadOnlyList<string> names, ReadOnlySpan<double> values)
        {
            var finite = 0;
            foreach (var value in values)
            {
                if (double.IsFinite(value)) finite++;
            }

            if (finite == names.Count) return new Entries(names, values.ToArray());

            var kept = new string[finite];
            var keptValues = new double[finite];
            for (int i = 0, j = 0; i < names.Count; i++)
            {
                if (!double.IsFinite(values[i])) continue;
                kept[j] = names[i];
                keptValues[j++] = values[i];
            }

            return new Entries(kept, keptValues);
        }
    }
}
