namespace Pipeline.Host.Backtest;

/// <summary>
/// Reads RFC 4180 CSV records one at a time without allocating per field: comma separated,
/// fields optionally in double quotes (a quote inside written as two), quoted fields may span
/// lines, records end with LF, CRLF or CR. Lines holding nothing are skipped. Errors throw
/// <see cref="FormatException"/> whose message starts with the line number.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;
    private char[] _text = new char[256];
    private int _textLength;
    private int[] _fieldEnds = new int[16];
    private int _fieldCount;
    private long _line = 1;

    /// <summary>1-based line on which the current record starts.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Fields in the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>The text of field <paramref name="index"/> of the current record, quotes removed.</summary>
    public ReadOnlySpan<char> Field(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _fieldCount);
        var start = index == 0 ? 0 : _fieldEnds[index - 1];
        return _text.AsSpan(start, _fieldEnds[index] - start);
    }

    /// <summary>Reads the next non-empty record; false at the end of the input.</summary>
    /// <exception cref="FormatException">A quote is unterminated or followed by something other than a separator.</exception>
    public bool ReadRecord()
    {
        while (true)
        {
            var c = Peek();
            if (c < 0)
            {
                return false;
            }

            if (c is '\n' or '\r')
            {
                // A line with nothing on it is not a record.
                ConsumeNewline();
                continue;
            }

            break;
        }

        LineNumber = _line;
        _textLength = 0;
        _fieldCount = 0;
        while (true)
        {
            var end = ReadField();
            EndField();
            if (end)
            {
                return true;
            }
        }
    }

    /// <summary>Reads one field; returns true when it ended its record.</summary>
    private bool ReadField()
    {
        if (Peek() == '"')
        {
            Next();
            return ReadQuoted();
        }

        while (true)
        {
            var c = Peek();
            switch (c)
            {
                case < 0:
                    return true;
                case ',':
                    Next();
                    return false;
                case '\n' or '\r':
                    ConsumeNewline();
                    return true;
                case '"':
                    throw new FormatException($"line {_line}: a quote inside an unquoted field; quote the whole field and double the quote");
                default:
                    Append((char)Next());
                    break;
            }
        }
    }

    private bool ReadQuoted()
    {
        var start = LineNumber;
        while (true)
        {
            var c = Next();
            if (c < 0)
            {
                throw new FormatException($"line {start}: unterminated quoted field (the closing quote is missing)");
            }

            if (c == '"')
            {
                if (Peek() == '"')
                {
                    Next();
                    Append('"');
                    continue;
                }

                var after = Peek();
                switch (after)
                {
                    case < 0:
                        return true;
                    case ',':
                        Next();
                        return false;
                    case '\n' or '\r':
                        ConsumeNewline();
                        return true;
                    default:
                        throw new FormatException($"line {_line}: unexpected '{(char)after}' after a closing quote; expected a comma or the end of the line");
                }
            }

            if (c == '\n' || (c == '\r' && Peek() != '\n'))
            {
                _line++;
            }

            Append((char)c);
        }
    }

    private void ConsumeNewline()
    {
        if (Next() == '\r' && Peek() == '\n')
        {
            Next();
        }

        _line++;
    }

    private void Append(char c)
    {
        if (_textLength == _text.Length)
        {
            Array.Resize(ref _text, _text.Length * 2);
        }

        _text[_textLength++] = c;
    }

    private void EndField()
    {
        if (_fieldCount == _fieldEnds.Length)
        {
            Array.Resize(ref _fieldEnds, _fieldEnds.Length * 2);
        }

        _fieldEnds[_fieldCount++] = _textLength;
    }

    private int Peek()
    {
        if (_position == _length && !Fill())
        {
            return -1;
        }

        return _buffer[_position];
    }

    private int Next()
    {
        if (_position == _length && !Fill())
        {
            return -1;
        }

        return _buffer[_position++];
    }

    private bool Fill()
    {
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
