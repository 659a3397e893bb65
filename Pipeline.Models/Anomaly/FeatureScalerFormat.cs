using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>The shared snapshot header of the scalers: magic, version, then one byte naming the kind.</summary>
internal static class FeatureScalerFormat
{
    public const string Magic = "FSCL";
    public const byte Version = 1;
    public const byte FixedLimitsKind = 1;
    public const byte OnlineMinMaxKind = 2;
    public const int MaxFeatures = 1 << 16;

    public static BinaryWriter BeginWrite(Stream stream, byte kind, int featureCount)
    {
        var w = SnapshotFormat.BeginWrite(stream, Magic, Version);
        w.Write(kind);
        w.Write(featureCount);
        return w;
    }

    public static T ReadKind<T>(Stream stream, byte kind, string typeName, Func<BinaryReader, T> payload)
    {
        using var r = SnapshotFormat.BeginRead(stream, Magic, Version, typeName);
        return SnapshotFormat.Guard(typeName, () =>
        {
            var found = r.ReadByte();
            return found == kind ? payload(r) : throw new InvalidDataException($"the snapshot holds another feature scaler kind ({found}), not a {typeName}");
        });
    }

    public static int ReadFeatureCount(BinaryReader r, string typeName) =>
        SnapshotFormat.ReadInt(r, typeName, "feature count", 1, MaxFeatures);

    public static void CheckLength(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"expected {expected} features, got {actual}", "values");
        }
    }
}
