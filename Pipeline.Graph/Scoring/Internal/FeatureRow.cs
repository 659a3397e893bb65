using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Graph.Scoring.Internal;

/// <summary>
/// INTERNAL API. The features of one scored row by name, in the model's order, finite values only.
/// Shares the model's name list instead of hashing every name into a dictionary per row: a row is
/// written to the store as JSON and looked up by a name or two at most, so a linear lookup over a
/// few dozen names is cheaper than building a hash table for every transaction.
/// </summary>
internal sealed class FeatureRow : IReadOnlyDictionary<string, double>
{
    private readonly IReadOnlyList<string> _names;
    private readonly double[] _values;

    /// <summary>The finite entries of <paramref name="values"/> under the names at the same positions.</summary>
    public FeatureRow(IReadOnlyList<string> names, ReadOnlySpan<double> values)
    {
        var finite = 0;
        foreach (var value in values)
        {
            if (double.IsFinite(value)) finite++;
        }

        if (finite == names.Count)
        {
            _names = names;
            _values = values.ToArray();
            return;
        }

        var kept = new string[finite];
        _values = new double[finite];
        for (int i = 0, j = 0; i < names.Count; i++)
        {
            if (!double.IsFinite(values[i])) continue;
            kept[j] = names[i];
            _values[j++] = values[i];
        }

        _names = kept;
    }

    public int Count => _values.Length;

    public IEnumerable<string> Keys => _names;

    public IEnumerable<double> Values => _values;

    public double this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no feature '{key}' in the row");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _values[index] : 0;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < _values.Length; i++) yield return new KeyValuePair<string, double>(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _values.Length; i++)
        {
            if (string.Equals(_names[i], key, StringComparison.Ordinal)) return i;
        }

        return -1;
    }
}
