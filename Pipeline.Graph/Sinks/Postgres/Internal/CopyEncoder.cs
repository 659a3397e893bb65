using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>
/// Encodes rows in PostgreSQL's binary COPY format into one reusable buffer, so a batch costs no per-field
/// calls into the driver and no intermediate strings: text as UTF-8, <c>timestamptz</c> as microseconds since
/// 2000-01-01, <c>float8</c> big-endian, and <c>jsonb</c> as version byte 1 followed by JSON written straight
/// from the values (object keys are escaped once and cached). The caller streams <see cref="Written"/> to a raw
/// binary COPY and calls <see cref="Clear"/>; the buffer keeps its capacity.
/// <para>
/// U+0000 cannot be stored in <c>text</c> or <c>jsonb</c>; such a row would fail its batch on every retry and
/// stall the stream, so the character is written as U+FFFD. Unpaired surrogates become U+FFFD as well.
/// Non-finite numbers are written as the JSON strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.
/// </para>
/// </summary>
internal sealed class CopyEncoder
{
    /// <summary>Ticks from 0001-01-01 to PostgreSQL's epoch, 2000-01-01.</summary>
    private const long PostgresEpochTicks = 630_822_816_000_000_000;
    private const int MaxCachedKeys = 4096;
    private const byte JsonbVersion = 1;

    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly (string? Key, byte[] Encoded)[] _recentKeys = new (string?, byte[])[64];
    private byte[] _buffer;
    private int _length;

    public CopyEncoder(int initialCapacity = 256 * 1024) => _buffer = new byte[initialCapacity];

    /// <summary>The bytes encoded since the last <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    /// <summary>How many bytes <see cref="Written"/> holds.</summary>
    public int Length => _length;

    public void Clear() => _length = 0;

    /// <summary>The COPY header: signature, flags, header extension length.</summary>
    public void Header()
    {
        Ensure(Signature.Length + 8);
        Signature.CopyTo(_buffer, _length);
        _length += Signature.Length;
        Int32Raw(0);
        Int32Raw(0);
    }

    /// <summary>The end-of-data marker.</summary>
    public void Trailer() => Int16Raw(-1);

    public void StartRow(short fields) => Int16Raw(fields);

    public void Timestamp(DateTimeOffset value)
    {
        // As Npgsql maps them: the extreme values stand for ±infinity.
        var micros = value == DateTimeOffset.MaxValue ? long.MaxValue
            : value == DateTimeOffset.MinValue ? long.MinValue
            : (value.UtcTicks - PostgresEpochTicks) / 10;
        Int32Raw(8);
        Int64Raw(micros);
    }

    public void Float8(double value)
    {
        Int32Raw(8);
        Ensure(8);
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Int4(int value)
    {
        Int32Raw(4);
        Int32Raw(value);
    }

    public void Int8(long value)
    {
        Int32Raw(8);
        Int64Raw(value);
    }

    public void Bool(bool value)
    {
        Int32Raw(1);
        Ensure(1);
        _buffer[_length++] = value ? (byte)1 : (byte)0;
    }

    public void Bytea(ReadOnlySpan<byte> value)
    {
        Int32Raw(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    public void Text(string value)
    {
        var lengthAt = ReserveLength();
        Utf8Text(value);
        EndLength(lengthAt);
    }

    /// <summary>A <c>jsonb</c> object of numbers, keys in the dictionary's order.</summary>
    public void JsonbObject(IReadOnlyDictionary<string, double> values)
    {
        var lengthAt = ReserveLength();
        Byte(JsonbVersion);
        Byte((byte)'{');
        var position = 0;
        if (values is Dictionary<string, double> dictionary)
        {
            // The scoring stage's rows: enumerated without boxing the enumerator.
            foreach (var (key, value) in dictionary) Member(position++, key, value);
        }
        else
        {
            foreach (var (key, value) in values) Member(position++, key, value);
        }

        Byte((byte)'}');
        EndLength(lengthAt);
    }

    /// <summary>A <c>jsonb</c> array of strings.</summary>
    public void JsonbArray(IReadOnlyList<string> values)
    {
        var lengthAt = ReserveLength();
        Byte(JsonbVersion);
        Byte((byte)'[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0) Byte((byte)',');
            JsonString(values[i]);
        }

        Byte((byte)']');
        EndLength(lengthAt);
    }

    private void Member(int position, string key, double value)
    {
        if (position > 0) Byte((byte)',');
        Raw(Key(position, key));
        JsonNumber(value);
    }

    /// <summary>
    /// <c>"key":</c> escaped and encoded. Every row of a model version carries the same name instances in the same
    /// order, so the key at each position is first checked by reference, and only looked up when it differs.
    /// </summary>
    private byte[] Key(int position, string key)
    {
        if (position < _recentKeys.Length && ReferenceEquals(_recentKeys[position].Key, key)) return _recentKeys[position].Encoded;
        if (!_keys.TryGetValue(key, out var encoded))
        {
            var start = _length;
            JsonString(key);
            Byte((byte)':');
            encoded = _buffer.AsSpan(start, _length - start).ToArray();
            _length = start;
            // Keys are the model's feature names: a handful, stable. The bound only guards against a caller
            // that makes them up per row.
            if (_keys.Count >= MaxCachedKeys) _keys.Clear();
            _keys[key] = encoded;
        }

        if (position < _recentKeys.Length) _recentKeys[position] = (key, encoded);
        return encoded;
    }

    private void JsonNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            Raw(double.IsNaN(value) ? "\"NaN\""u8 : value > 0 ? "\"Infinity\""u8 : "\"-Infinity\""u8);
            return;
        }

        Ensure(32);
        // Counts, flags and hours are whole numbers: integer formatting is several times cheaper. -0 keeps its sign
        // through the general path, as System.Text.Json writes it.
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && !(value == 0 && double.IsNegative(value)))
        {
            ((long)value).TryFormat(_buffer.AsSpan(_length), out var digits, default, CultureInfo.InvariantCulture);
            _length += digits;
            return;
        }

        // Shortest round-trip form, as System.Text.Json writes it ("1E-05", "-0", "123.45").
        if (!value.TryFormat(_buffer.AsSpan(_length), out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"cannot format {value.ToString("R", CultureInfo.InvariantCulture)} in 32 bytes");
        }

        _length += written;
    }

    private void JsonString(string value)
    {
        Byte((byte)'"');
        if (NeedsEscape(value))
        {
            var escaped = new StringBuilder(value.Length + 8);
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': escaped.Append("\\\""); break;
                    case '\\': escaped.Append("\\\\"); break;
                    case '\0': escaped.Append('\uFFFD'); break;
                    case < ' ': escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                    default: escaped.Append(c); break;
                }
            }

            Utf8Text(escaped.ToString());
        }
        else
        {
            Utf8Text(value);
        }

        Byte((byte)'"');
    }

    private static bool NeedsEscape(string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c == '"' || c == '\\') return true;
        }

        return false;
    }

    private void Utf8Text(string value)
    {
        var text = value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
        Ensure(Utf8.GetMaxByteCount(text.Length));
        _length += Utf8.GetBytes(text, _buffer.AsSpan(_length));
    }

    private int ReserveLength()
    {
        Ensure(4);
        var at = _length;
        _length += 4;
        return at;
    }

    private void EndLength(int at) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), _length - at - 4);

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    private void Int16Raw(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    private void Int32Raw(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Int64Raw(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    private void Ensure(int bytes)
    {
        if (_length + bytes <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
    }
}
