using System.Text;

namespace Pipeline.Models.Internal;

/// <summary>
/// The header every snapshot of an online algorithm starts with: four ASCII magic bytes naming the
/// type, then one version byte. A reader that finds another type or a version it does not know
/// refuses the stream instead of restoring a state that would silently behave differently.
/// </summary>
internal static class SnapshotFormat
{
    /// <summary>Writes the magic and version through a writer that leaves <paramref name="stream"/> open.</summary>
    public static BinaryWriter BeginWrite(Stream stream, string magic, byte version)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Encoding.ASCII.GetBytes(magic));
        writer.Write(version);
        return writer;
    }

    /// <summary>Checks the magic and version, returning a reader positioned on the payload.</summary>
    /// <exception cref="InvalidDataException">The stream holds another type, an unknown version, or ends early.</exception>
    public static BinaryReader BeginRead(Stream stream, string magic, byte version, string typeName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var found = reader.ReadBytes(magic.Length);
            if (found.Length != magic.Length || Encoding.ASCII.GetString(found) != magic)
            {
                throw new InvalidDataException($"not a {typeName} snapshot: expected magic '{magic}'");
            }

            var foundVersion = reader.ReadByte();
            if (foundVersion != version)
            {
                throw new InvalidDataException($"{typeName} snapshot version {foundVersion} is not supported (expected {version})");
            }
        }
        catch (EndOfStreamException e)
        {
            reader.Dispose();
            throw new InvalidDataException($"{typeName} snapshot is truncated", e);
        }
        catch
        {
            reader.Dispose();
            throw;
        }

        return reader;
    }

    /// <summary>Reads a double and fails unless <paramref name="valid"/> accepts it.</summary>
    public static double ReadDouble(BinaryReader reader, string typeName, string field, Func<double, bool> valid)
    {
        var v = reader.ReadDouble();
        return valid(v) ? v : throw new InvalidDataException($"{typeName} snapshot has an invalid {field}: {v}");
    }

    /// <summary>Reads an int and fails unless it lies in [min, max].</summary>
    public static int ReadInt(BinaryReader reader, string typeName, string field, int min, int max)
    {
        var v = reader.ReadInt32();
        return v >= min && v <= max ? v : throw new InvalidDataException($"{typeName} snapshot has an invalid {field}: {v}");
    }

    /// <summary>Reads a long and fails unless it lies in [min, max].</summary>
    public static long ReadLong(BinaryReader reader, string typeName, string field, long min, long max)
    {
        var v = reader.ReadInt64();
        return v >= min && v <= max ? v : throw new InvalidDataException($"{typeName} snapshot has an invalid {field}: {v}");
    }

    /// <summary>Runs <paramref name="read"/> and turns a premature end of stream into <see cref="InvalidDataException"/>.</summary>
    public static T Guard<T>(string typeName, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{typeName} snapshot is truncated", e);
        }
    }
}
