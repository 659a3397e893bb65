using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Models.Features.Internal;

/// <summary>
/// Binary layout of an <see cref="AccountState"/> snapshot, little-endian after the
/// <see cref="Models.Internal.SnapshotFormat"/> header (<c>ACST</c>, version 1):
/// flags (byte: 1 = has events, 2 = has position); newest event time (ms, int64);
/// position when flagged (topic as a length-prefixed UTF-8 string — 7-bit encoded byte count, as
/// <see cref="BinaryWriter"/> writes it — partition int32, offset int64);
/// history count (int64), mean (double), M2 (double);
/// window count (byte), then per window: length ms (int64), bucket width ms (int64), bucket count
/// (int32), buckets (index int64, count int32, sum double, sum of squares double), ascending;
/// then merchants, countries, devices: entry count (int32), entries (hash uint64, last seen ms int64).
/// <para>
/// Every changed account is written at every checkpoint, so the writer computes the exact size and
/// fills the destination in place (a new array, or a caller's reused buffer); the reader works on
/// the span it is given.
/// </para>
/// </summary>
internal static class AccountStateFormat
{
    private const byte Version = 1;
    private const string TypeName = "account state";
    private const int HeaderBytes = 5;
    private const int BucketBytes = 28;
    private const int EntryBytes = 16;
    private static ReadOnlySpan<byte> Magic => "ACST"u8;

    public static byte[] Write(AccountState state)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(Size(state));
        Write(state, bytes);
        return bytes;
    }

    public static int Write(AccountState state, IBufferWriter<byte> destination)
    {
        var size = Size(state);
        Write(state, destination.GetSpan(size)[..size]);
        destination.Advance(size);
        return size;
    }

    /// <summary>The exact length of <paramref name="state"/>'s snapshot.</summary>
    public static int Size(AccountState state)
    {
        var options = state.Options;
        var size = HeaderBytes + 1 + 8 + 24 + 1;
        if (state.LastApplied is { } at)
        {
            var topicBytes = Encoding.UTF8.GetByteCount(at.Topic);
            size += SevenBitLength(topicBytes) + topicBytes + 4 + 8;
        }

        for (var i = 0; i < options.Windows.Count; i++) size += 8 + 8 + 4 + (state.Buckets(i).Length * BucketBytes);
        return size + (3 * 4) + ((state.Known(StateArena.Merchants).Length + state.Known(StateArena.Countries).Length + state.Known(StateArena.Devices).Length) * EntryBytes);
    }

    /// <summary>Writes the snapshot into <paramref name="bytes"/>, which is exactly <see cref="Size"/> long.</summary>
    private static void Write(AccountState state, Span<byte> bytes)
    {
        var (hasEvents, maxEventMs, count, mean, m2) = state.Core;
        var position = state.LastApplied;
        var options = state.Options;
        var w = new Writer(bytes);
        w.Bytes(Magic);
        w.Byte(Version);
        w.Byte((byte)((hasEvents ? 1 : 0) | (position is null ? 0 : 2)));
        w.Int64(maxEventMs);
        if (position is { } p)
        {
            var topicBytes = Encoding.UTF8.GetByteCount(p.Topic);
            w.SevenBit(topicBytes);
            w.Utf8(p.Topic, topicBytes);
            w.Int32(p.Partition);
            w.Int64(p.Offset);
        }

        w.Int64(count);
        w.Double(mean);
        w.Double(m2);
        w.Byte((byte)options.Windows.Count);
        for (var i = 0; i < options.Windows.Count; i++)
        {
            w.Int64(options.WindowMs(i));
            w.Int64(options.WidthMs(i));
            var buckets = state.Buckets(i);
            w.Int32(buckets.Length);
            foreach (ref readonly var b in buckets)
            {
                w.Int64(b.Index);
                w.Int32(b.Count);
                w.Double(b.Sum);
                w.Double(b.SumOfSquares);
            }
        }

        WriteSet(ref w, state.Known(StateArena.Merchants));
        WriteSet(ref w, state.Known(StateArena.Countries));
        WriteSet(ref w, state.Known(StateArena.Devices));
        w.EnsureFull();
    }

    public static AccountState Read(ReadOnlySpan<byte> bytes, AccountFeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var r = new Reader(bytes);
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"not a {TypeName} snapshot: expected magic 'ACST'");
        }

        r.Skip(Magic.Length);
        var version = r.Byte();
        if (version != Version) throw new InvalidDataException($"{TypeName} snapshot version {version} is not supported (expected {Version})");

        var state = new AccountState(options);
        var flags = r.Byte();
        if ((flags & ~3) != 0) throw Corrupt("flags", flags);
        var maxEventMs = r.Int64();
        RecordPosition? position = null;
        if ((flags & 2) != 0)
        {
            var topic = r.String();
            var partition = r.Int32();
            var offset = r.Int64();
            if (partition < 0 || offset < 0) throw Corrupt("position", $"{partition}@{offset}");
            position = new RecordPosition(topic, partition, offset);
        }

        var count = r.Int64();
        if (count < 0) throw Corrupt("history count", count);
        var mean = r.Double();
        if (!double.IsFinite(mean)) throw Corrupt("history mean", mean);
        var m2 = r.Double();
        if (!double.IsFinite(m2) || m2 < 0) throw Corrupt("history M2", m2);
        state.RestoreCore((flags & 1) != 0, maxEventMs, position, count, mean, m2);

        var windows = r.Byte();
        for (var k = 0; k < windows; k++)
        {
            var lengthMs = r.Int64();
            var widthMs = r.Int64();
            var n = r.Int32();
            if (widthMs <= 0 || n < 0 || n > 1_000_000) throw Corrupt("window", $"{lengthMs}/{widthMs}/{n}");
            var target = -1;
            for (var i = 0; i < options.Windows.Count; i++)
            {
                if (options.WindowMs(i) == lengthMs && options.WidthMs(i) == widthMs) target = i;
            }

            var firstRetained = target >= 0 ? AccountState.FloorDiv(maxEventMs, widthMs) - options.RetainedBuckets(target) + 1 : 0;
            var previous = long.MinValue;
            for (var j = 0; j < n; j++)
            {
                var bucket = new Bucket { Index = r.Int64(), Count = r.Int32(), Sum = r.Double(), SumOfSquares = r.Double() };
                if (bucket.Index <= previous || bucket.Count <= 0 || !double.IsFinite(bucket.Sum) || !double.IsFinite(bucket.SumOfSquares))
                {
                    throw Corrupt("bucket", bucket.Index);
                }

                previous = bucket.Index;
                if (target >= 0 && bucket.Index >= firstRetained) state.RestoreBucket(target, bucket);
            }
        }

        state.RestoreKnown(StateArena.Merchants, ReadSet(ref r), options.KnownMerchants);
        state.RestoreKnown(StateArena.Countries, ReadSet(ref r), options.KnownCountries);
        state.RestoreKnown(StateArena.Devices, ReadSet(ref r), options.KnownDevices);
        if (r.Remaining != 0) throw Corrupt("length", r.Remaining);
        return state;
    }

    private static void WriteSet(ref Writer w, ReadOnlySpan<KnownEntry> entries)
    {
        w.Int32(entries.Length);
        foreach (ref readonly var e in entries)
        {
            w.UInt64(e.Hash);
            w.Int64(e.LastSeenMs);
        }
    }

    private static KnownEntry[] ReadSet(ref Reader r)
    {
        var n = r.Int32();
        if (n is < 0 or > 1_000_000) throw Corrupt("known-set size", n);
        if ((long)n * EntryBytes > r.Remaining) throw Truncated();
        var entries = new KnownEntry[n];
        for (var i = 0; i < n; i++) entries[i] = new KnownEntry { Hash = r.UInt64(), LastSeenMs = r.Int64() };
        return entries;
    }

    private static int SevenBitLength(int value)
    {
        var length = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7) length++;
        return length;
    }

    private static InvalidDataException Corrupt(string field, object value) => new($"{TypeName} snapshot has an invalid {field}: {value}");

    private static InvalidDataException Truncated() => new($"{TypeName} snapshot is truncated");

    /// <summary>Fills a buffer sized in advance; running past its end is a bug in the size computation.</summary>
    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _at;

        public void Byte(byte value) => _buffer[_at++] = value;

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[_at..]);
            _at += value.Length;
        }

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer[_at..], value);
            _at += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer[_at..], value);
            _at += 8;
        }

        public void UInt64(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer[_at..], value);
            _at += 8;
        }

        public void Double(double value)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_at..], value);
            _at += 8;
        }

        public void SevenBit(int value)
        {
            var v = (uint)value;
            while (v >= 0x80)
            {
                _buffer[_at++] = (byte)(v | 0x80);
                v >>= 7;
            }

            _buffer[_at++] = (byte)v;
        }

        public void Utf8(string value, int byteCount) => _at += Encoding.UTF8.GetBytes(value, _buffer.Slice(_at, byteCount));

        public readonly void EnsureFull()
        {
            if (_at != _buffer.Length) throw new InvalidOperationException($"{TypeName} snapshot size was computed as {_buffer.Length} bytes but {_at} were written");
        }
    }

    /// <summary>Reads from a span; running past its end means the snapshot is truncated.</summary>
    private ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _at;

        public readonly int Remaining => _buffer.Length - _at;

        public void Skip(int count) => Take(count);

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        /// <summary>A string as <see cref="BinaryWriter.Write(string)"/> writes it: 7-bit encoded UTF-8 byte count, then the bytes.</summary>
        public string String()
        {
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28) throw Corrupt("string length", "more than five bytes");
                var b = Byte();
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }

            if (length < 0) throw Corrupt("string length", length);
            return Encoding.UTF8.GetString(Take(length));
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > Remaining) throw Truncated();
            var slice = _buffer.Slice(_at, count);
            _at += count;
            return slice;
        }
    }
}
