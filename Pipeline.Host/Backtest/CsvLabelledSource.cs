using System.Globalization;

namespace Pipeline.Host.Backtest;

/// <summary>
/// Labelled rows from a CSV file with a header row. Feature cells are numbers (invariant culture);
/// an empty cell is a missing feature (NaN). The label cell holds 0, 1, true or false. Columns
/// that are neither a feature nor the label are ignored. Rows are read lazily, one at a time.
/// </summary>
public sealed class CsvLabelledSource : ILabelledSource
{
    private readonly TextReader _reader;
    private readonly CsvRecordReader _records;
    private readonly int _labelColumn;
    private readonly int[] _featureColumns;
    private readonly int _columnCount;
    private readonly string[] _header;

    private CsvLabelledSource(TextReader reader, string description, string labelColumn, IReadOnlyList<string>? features)
    {
        _reader = reader;
        Description = description;
        _records = new CsvRecordReader(reader);
        if (!Read())
        {
            throw Error(1, "the file is empty; expected a header row naming the columns");
        }

        _columnCount = _records.FieldCount;
        _header = new string[_columnCount];
        for (var i = 0; i < _columnCount; i++) _header[i] = _records.Field(i).Trim().ToString();

        _labelColumn = Column(labelColumn, "label");
        var names = features ?? _header.Where((_, i) => i != _labelColumn).ToArray();
        if (names.Count == 0)
        {
            throw Error(_records.LineNumber, $"the header has no column besides the label '{labelColumn}' to use as a feature");
        }

        _featureColumns = new int[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            _featureColumns[i] = Column(names[i], "feature");
            if (_featureColumns[i] == _labelColumn)
            {
                throw Error(_records.LineNumber, $"column '{names[i]}' cannot be both the label and a feature");
            }
        }

        FeatureNames = names.ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">Header name of the 0/1 label column.</param>
    /// <param name="features">Feature columns in vector order; null means every column except the label, in header order.</param>
    /// <exception cref="BacktestInputException">The header is missing or lacks a named column.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static CsvLabelledSource Open(string path, string labelColumn, IReadOnlyList<string>? features)
    {
        var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        try
        {
            return new CsvLabelledSource(reader, path, labelColumn, features);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>, which the source then owns.</summary>
    public static CsvLabelledSource FromReader(TextReader reader, string description, string labelColumn, IReadOnlyList<string>? features)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            return new CsvLabelledSource(reader, description, labelColumn, features);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool TryRead(Span<double> features, out bool label)
    {
        if (features.Length != _featureColumns.Length)
        {
            throw new ArgumentException($"the vector must hold {_featureColumns.Length} values", nameof(features));
        }

        label = false;
        if (!Read())
        {
            return false;
        }

        var line = _records.LineNumber;
        if (_records.FieldCount != _columnCount)
        {
            throw Error(line, $"expected {_columnCount} fields as in the header, found {_records.FieldCount}");
        }

        for (var i = 0; i < _featureColumns.Length; i++)
        {
            var column = _featureColumns[i];
            var cell = _records.Field(column).Trim();
            if (cell.IsEmpty)
            {
                features[i] = double.NaN;
                continue;
            }

            if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw Error(line, $"column '{_header[column]}' holds '{cell}', which is not a finite number (leave the cell empty for a missing value)");
            }

            features[i] = value;
        }

        label = ParseLabel(_records.Field(_labelColumn).Trim(), line);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private bool ParseLabel(ReadOnlySpan<char> cell, long line)
    {
        if (cell is "1" || cell.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
        if (cell is "0" || cell.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
        throw Error(line, $"label column '{_header[_labelColumn]}' holds '{cell}'; expected 0, 1, true or false");
    }

    private int Column(string name, string role)
    {
        var index = -1;
        for (var i = 0; i < _header.Length; i++)
        {
            if (!string.Equals(_header[i], name, StringComparison.Ordinal)) continue;
            if (index >= 0)
            {
                throw Error(_records.LineNumber, $"the {role} column '{name}' appears more than once in the header");
            }

            index = i;
        }

        if (index < 0)
        {
            throw Error(_records.LineNumber, $"no {role} column '{name}' in the header (columns: {string.Join(", ", _header)})");
        }

        return index;
    }

    private bool Read()
    {
        try
        {
            return _records.ReadRecord();
        }
        catch (FormatException e)
        {
            throw new BacktestInputException($"{Description} {e.Message}");
        }
    }

    private BacktestInputException Error(long line, string message) => new($"{Description} line {line}: {message}");
}
