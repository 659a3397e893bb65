using System.Text;
using Pipeline.Models.Anomaly;

namespace Pipeline.Models.Internal;

/// <summary>
/// Binary format of <see cref="HalfSpaceTrees"/>, little-endian:
/// magic <c>PHST</c>, a version byte, the options (trees, height, window, seed, features, limits),
/// then either the built state (schema, per node threshold/feature/l_mass/r_mass, window counter,
/// learn count, reference flag) or the generator state of a model whose trees are not yet built.
/// Reading checks every field, so a corrupt or foreign payload fails with
/// <see cref="InvalidDataException"/> instead of producing a model that scores nonsense.
/// </summary>
internal static class HalfSpaceTreesFormat
{
    public static void Write(Stream stream, ReadOnlySpan<byte> magic, byte version, HalfSpaceTrees model)
    {
        var options = model.Options;
        var state = model.ExportState();
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(magic);
        w.Write(version);
        w.Write(options.Trees);
        w.Write(options.Height);
        w.Write(options.WindowSize);
        w.Write(options.Seed.HasValue);
        w.Write(options.Seed ?? 0L);
        WriteStrings(w, options.Features?.ToArray());
        if (options.Limits is null)
        {
            w.Write(-1);
        }
        else
        {
            w.Write(options.Limits.Count);
            foreach (var (name, limits) in options.Limits.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.Write(name);
                w.Write(limits.Lo);
                w.Write(limits.Hi);
            }
        }

        w.Write(state.Schema is not null);
        if (state.Schema is null)
        {
            foreach (var word in state.RngWords!) w.Write(word);
            w.Write(state.RngPosition);
            return;
        }

        WriteStrings(w, state.Schema);
        var n = state.Thresholds!.Length;
        w.Write(n);
        for (var i = 0; i < n; i++)
        {
            w.Write(state.Thresholds[i]);
            w.Write(state.FeatureIndices![i]);
            w.Write(state.LatestMasses![i]);
            w.Write(state.ReferenceMasses![i]);
        }

        w.Write(state.Counter);
        w.Write(state.LearnCount);
        w.Write(state.HasReference);
    }

    public static HalfSpaceTrees Read(Stream stream, ReadOnlySpan<byte> magic, byte version)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> head = stackalloc byte[magic.Length];
            r.BaseStream.ReadExactly(head);
            if (!head.SequenceEqual(magic))
            {
                throw new InvalidDataException("not a HalfSpaceTrees model: the magic bytes do not match");
            }

            var v = r.ReadByte();
            if (v != version)
            {
                throw new InvalidDataException($"unsupported HalfSpaceTrees format version {v}; this build reads version {version}");
            }

            var options = ReadOptions(r);
            var built = r.ReadBoolean();
            var state = built ? ReadBuilt(r, options) : ReadUnbuilt(r);
            return HalfSpaceTrees.Import(options, state);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the HalfSpaceTrees model is truncated", e);
        }
    }

    private static HalfSpaceTreesOptions ReadOptions(BinaryReader r)
    {
        var trees = r.ReadInt32();
        var height = r.ReadInt32();
        var window = r.ReadInt32();
        var hasSeed = r.ReadBoolean();
        var seed = r.ReadInt64();
        var features = ReadStrings(r);
        Dictionary<string, FeatureLimits>? limits = null;
        var limitCount = r.ReadInt32();
        if (limitCount >= 0)
        {
            limits = new Dictionary<string, FeatureLimits>(StringComparer.Ordinal);
            for (var i = 0; i < limitCount; i++)
            {
                var name = r.ReadString();
                var lo = r.ReadDouble();
                var hi = r.ReadDouble();
                if (!limits.TryAdd(name, new FeatureLimits(lo, hi)))
                {
                    throw new InvalidDataException($"the model lists limits for '{name}' twice");
                }
            }
        }
        else if (limitCount != -1)
        {
            throw new InvalidDataException($"invalid limit count {limitCount}");
        }

        var options = new HalfSpaceTreesOptions
        {
            Trees = trees,
            Height = height,
            WindowSize = window,
            Seed = hasSeed ? seed : null,
            Features = features,
            Limits = limits,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the model's options are invalid: {e.Message}", e);
        }

        return options;
    }

    private static HalfSpaceTreesState ReadBuilt(BinaryReader r, HalfSpaceTreesOptions options)
    {
        var schema = ReadStrings(r) ?? throw new InvalidDataException("a built model must list its features");
        if (schema.Length == 0 || schema.Any(string.IsNullOrEmpty) || schema.Distinct(StringComparer.Ordinal).Count() != schema.Length)
        {
            throw new InvalidDataException("the model's feature names must be non-empty and distinct");
        }

        if (options.Features is not null && !options.Features.SequenceEqual(schema, StringComparer.Ordinal))
        {
            throw new InvalidDataException("the model's feature schema differs from its options' Features");
        }

        var n = r.ReadInt32();
        var expected = options.Trees * options.NodesPerTree;
        if (n != expected)
        {
            throw new InvalidDataException($"the model holds {n} nodes but its options need {expected}");
        }

        var window = options.WindowSize;
        var state = new HalfSpaceTreesState
        {
            Schema = schema,
            Thresholds = new double[n],
            FeatureIndices = new int[n],
            LatestMasses = new int[n],
            ReferenceMasses = new int[n],
        };
        for (var i = 0; i < n; i++)
        {
            var threshold = r.ReadDouble();
            var feature = r.ReadInt32();
            var latest = r.ReadInt32();
            var reference = r.ReadInt32();
            if (!double.IsFinite(threshold) || feature < 0 || feature >= schema.Length
                || latest < 0 || latest > window || reference < 0 || reference > window)
            {
                throw new InvalidDataException($"node {i} of the model is out of range");
            }

            state.Thresholds[i] = threshold;
            state.FeatureIndices[i] = feature;
            state.LatestMasses[i] = latest;
            state.ReferenceMasses[i] = reference;
        }

        state.Counter = r.ReadInt32();
        state.LearnCount = r.ReadInt64();
        state.HasReference = r.ReadBoolean();
        if (state.LearnCount < 1 || state.Counter != state.LearnCount % window || state.HasReference != (state.LearnCount >= window))
        {
            throw new InvalidDataException(
                $"the model's counters are inconsistent (learned {state.LearnCount}, {state.Counter} in the current window of {window})");
        }

        return state;
    }

    private static HalfSpaceTreesState ReadUnbuilt(BinaryReader r)
    {
        var words = new uint[PythonRandom.StateWords];
        for (var i = 0; i < words.Length; i++) words[i] = r.ReadUInt32();
        var position = r.ReadInt32();
        if (position is < 0 or > PythonRandom.StateWords)
        {
            throw new InvalidDataException($"the model's generator position {position} is outside [0, {PythonRandom.StateWords}]");
        }

        return new HalfSpaceTreesState { RngWords = words, RngPosition = position };
    }

    private static void WriteStrings(BinaryWriter w, string[]? values)
    {
        if (values is null)
        {
            w.Write(-1);
            return;
        }

        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static string[]? ReadStrings(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count == -1) return null;
        if (count < 0 || count > 1_000_000)
        {
            throw new InvalidDataException($"invalid string count {count}");
        }

        var values = new string[count];
        for (var i = 0; i < count; i++) values[i] = r.ReadString();
        return values;
    }
}
