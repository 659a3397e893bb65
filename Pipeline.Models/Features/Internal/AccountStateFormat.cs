using Pipeline.Models.Internal;

namespace Pipeline.Models.Features.Internal;

/// <summary>
/// Binary layout of an <see cref="AccountState"/> snapshot, little-endian after the
/// <see cref="SnapshotFormat"/> header (<c>ACST</c>, version 1):
/// flags (byte: 1 = has events, 2 = has position); newest event time (ms, int64);
/// position when flagged (topic as a length-prefixed UTF-8 string, partition int32, offset int64);
/// history count (int64), mean (double), M2 (double);
/// window count (byte), then per window: length ms (int64), bucket width ms (int64), bucket count
/// (int32), buckets (index int64, count int32, sum double, sum of squares double), ascending;
/// then merchants, countries, devices: entry count (int32), entries (hash uint64, last seen ms int64).
/// </summary>
internal static class AccountStateFormat
{
    private const string Magic = "ACST";
    private const byte Version = 1;
    private const string TypeName = "account state";

    public static byte[] Write(AccountState state)
    {
        using var stream = new MemoryStream(128 + state.AllocatedBytes);
        using (var w = SnapshotFormat.BeginWrite(stream, Magic, Version))
        {
            var (hasEvents, maxEventMs, count, mean, m2) = state.Core;
            var position = state.LastApplied;
            w.Write((byte)((hasEvents ? 1 : 0) | (position is null ? 0 : 2)));
            w.Write(maxEventMs);
            if (position is { } p)
            {
                w.Write(p.Topic);
                w.Write(p.Partition);
                w.Write(p.Offset);
            }

            w.Write(count);
            w.Write(mean);
            w.Write(m2);
            var options = state.Options;
            w.Write((byte)options.Windows.Count);
            for (var i = 0; i < options.Windows.Count; i++)
            {
                w.Write(options.WindowMs(i));
                w.Write(options.WidthMs(i));
                var buckets = state.Window(i).Items;
                w.Write(buckets.Length);
                foreach (var b in buckets)
                {
                    w.Write(b.Index);
                    w.Write(b.Count);
                    w.Write(b.Sum);
                    w.Write(b.SumOfSquares);
                }
            }

            WriteSet(w, state.Merchants.Items);
            WriteSet(w, state.Countries.Items);
            WriteSet(w, state.Devices.Items);
        }

        return stream.ToArray();
    }

    public static AccountState Read(ReadOnlySpan<byte> bytes, AccountFeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var r = SnapshotFormat.BeginRead(stream, Magic, Version, TypeName);
        try
        {
            var state = new AccountState(options);
            var flags = r.ReadByte();
            if ((flags & ~3) != 0) throw Corrupt("flags", flags);
            var maxEventMs = r.ReadInt64();
            RecordPosition? position = null;
            if ((flags & 2) != 0)
            {
                var topic = r.ReadString();
                var partition = r.ReadInt32();
                var offset = r.ReadInt64();
                if (partition < 0 || offset < 0) throw Corrupt("position", $"{partition}@{offset}");
                position = new RecordPosition(topic, partition, offset);
            }

            var count = r.ReadInt64();
            if (count < 0) throw Corrupt("history count", count);
            var mean = SnapshotFormat.ReadDouble(r, TypeName, "history mean", double.IsFinite);
            var m2 = SnapshotFormat.ReadDouble(r, TypeName, "history M2", v => double.IsFinite(v) && v >= 0);
            state.RestoreCore((flags & 1) != 0, maxEventMs, position, count, mean, m2);

            var windows = r.ReadByte();
            for (var k = 0; k < windows; k++)
            {
                var lengthMs = r.ReadInt64();
                var widthMs = r.ReadInt64();
                var n = r.ReadInt32();
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
                    var bucket = new Bucket { Index = r.ReadInt64(), Count = r.ReadInt32(), Sum = r.ReadDouble(), SumOfSquares = r.ReadDouble() };
                    if (bucket.Index <= previous || bucket.Count <= 0 || !double.IsFinite(bucket.Sum) || !double.IsFinite(bucket.SumOfSquares))
                    {
                        throw Corrupt("bucket", bucket.Index);
                    }

                    previous = bucket.Index;
                    if (target >= 0 && bucket.Index >= firstRetained) state.Window(target).AppendRestored(bucket, options.RetainedBuckets(target));
                }
            }

            state.Merchants.Restore(ReadSet(r), options.KnownMerchants);
            state.Countries.Restore(ReadSet(r), options.KnownCountries);
            state.Devices.Restore(ReadSet(r), options.KnownDevices);
            if (stream.Position != stream.Length) throw Corrupt("length", stream.Length - stream.Position);
            return state;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{TypeName} snapshot is truncated", e);
        }
    }

    private static void WriteSet(BinaryWriter w, ReadOnlySpan<KnownEntry> entries)
    {
        w.Write(entries.Length);
        foreach (var e in entries)
        {
            w.Write(e.Hash);
            w.Write(e.LastSeenMs);
        }
    }

    private static KnownEntry[] ReadSet(BinaryReader r)
    {
        var n = r.ReadInt32();
        if (n is < 0 or > 1_000_000) throw Corrupt("known-set size", n);
        var entries = new KnownEntry[n];
        for (var i = 0; i < n; i++) entries[i] = new KnownEntry { Hash = r.ReadUInt64(), LastSeenMs = r.ReadInt64() };
        return entries;
    }

    private static InvalidDataException Corrupt(string field, object value) => new($"{TypeName} snapshot has an invalid {field}: {value}");
}
