using System.Buffers;
using System.Collections.ObjectModel;
using System.Security.Cryptography;
using Pipeline.Models.Internal;

namespace Pipeline.Models.Anomaly;

/// <summary>
/// Streaming Half-Space Trees (Tan, Ting &amp; Liu, "Fast Anomaly Detection for Streaming Data",
/// IJCAI 2011), bit-for-bit compatible with River's <c>anomaly.HalfSpaceTrees</c>: with the same
/// seed, parameters and inputs it builds the same trees and returns the same scores
/// (spec <c>online-algorithms.md</c> §3).
/// </summary>
/// <remarks>
/// <para>
/// Score orientation: a score lies in [0, 1]; high means anomalous. Until the first mass window of
/// <see cref="HalfSpaceTreesOptions.WindowSize"/> learns has completed, every score is 0.
/// Call <see cref="ScoreOne(ReadOnlySpan{double})"/> before <see cref="LearnOne(ReadOnlySpan{double})"/>
/// for each event (score, then learn).
/// </para>
/// <para>
/// Trees are random half-space partitions built lazily on the first learn, over the sorted feature
/// names, with thresholds drawn inside each feature's <see cref="FeatureLimits"/> (padded by 15%).
/// Features are assumed bounded; scale them into their limits first. A missing feature (an absent
/// key, or NaN) is routed towards the child with the larger mass in the current window, ties left.
/// A NaN value in a dictionary is treated as missing too, unlike River, where it would go right;
/// this keeps the dictionary and dense APIs equivalent.
/// </para>
/// <para>
/// Cost per call: O(trees × (height + 1)) with no allocation on the dense path; memory
/// 16 × trees × (2^(height+1) − 1) bytes. Not thread-safe: learning must not overlap any other call.
/// Concurrent <c>ScoreOne</c> calls alone are safe, as scoring does not change the model.
/// </para>
/// </remarks>
public sealed class HalfSpaceTrees
{
    /// <summary>Ratio of <c>size_limit</c> to the window size (River's <c>size_limit = 0.1 · window_size</c>).</summary>
    private const double SizeLimitFraction = 0.1;

    /// <summary>Feature counts up to this gather dictionary values on the stack.</summary>
    private const int StackFeatureLimit = 128;

    private static ReadOnlySpan<byte> Magic => "PHST"u8;

    private const byte FormatVersion = 1;

    private readonly int _trees;
    private readonly int _height;
    private readonly int _windowSize;
    private readonly int _nodesPerTree;
    private readonly int _sizeLimit;
    private readonly double _maxScore;

    private string[]? _schema;
    private Dictionary<string, int>? _schemaIndex;
    private ReadOnlyCollection<string>? _sortedFeatures;
    private HstNode[]? _nodes;
    private PythonRandom? _rng;
    private long _window;
    private int _counter;
    private long _learnCount;
    private bool _hasReference;

    /// <summary>Creates an empty model; trees are built on the first learn.</summary>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="HalfSpaceTreesOptions.Validate"/>).</exception>
    public HalfSpaceTrees(HalfSpaceTreesOptions options)
        : this(options, new PythonRandom(options?.Seed ?? NewSeed()))
    {
    }

    private HalfSpaceTrees(HalfSpaceTreesOptions options, PythonRandom? rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // Copies guard against later mutation of the caller's collections: limits are read only
        // when the trees are built and the schema fixes the dense vector layout.
        Options = options with
        {
            Features = options.Features is null ? null : Array.AsReadOnly(options.Features.ToArray()),
            Limits = options.Limits is null ? null : new ReadOnlyDictionary<string, FeatureLimits>(new Dictionary<string, FeatureLimits>(options.Limits, StringComparer.Ordinal)),
        };
        _trees = options.Trees;
        _height = options.Height;
        _windowSize = options.WindowSize;
        _nodesPerTree = (int)options.NodesPerTree;

        // r_mass is an integer, so "r_mass < 0.1·window" holds exactly when r_mass < ceil(0.1·window).
        _sizeLimit = (int)Math.Ceiling(SizeLimitFraction * _windowSize);
        _maxScore = (double)(options.Trees * options.NodesPerTree * options.WindowSize);
        _rng = rng;
        if (Options.Features is not null)
        {
            SetSchema(Options.Features.ToArray());
        }
    }

    /// <summary>The validated options (collections copied at construction).</summary>
    public HalfSpaceTreesOptions Options { get; }

    /// <summary>Feature names the trees split on, in sorted order, once the trees are built; otherwise null.</summary>
    public IReadOnlyList<string>? Features => _sortedFeatures;

    /// <summary>True once the first learn has built the trees.</summary>
    public bool IsBuilt => _nodes is not null;

    /// <summary>Number of <c>LearnOne</c> calls so far.</summary>
    public long LearnCount => _learnCount;

    /// <summary>True once a full window has completed, i.e. once scores are no longer fixed at 0.</summary>
    public bool HasReferenceWindow => _hasReference;

    /// <summary>
    /// Scores one sample given as a dictionary; an absent key (or a NaN value) is a missing feature
    /// and keys the model does not know are ignored. Returns 0 until the first window has completed.
    /// Does not change the model or the input.
    /// </summary>
    public double ScoreOne(IReadOnlyDictionary<string, double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!_hasReference)
        {
            return 0.0;
        }

        var count = _schema!.Length;
        double[]? rented = null;
        var buffer = count <= StackFeatureLimit
            ? stackalloc double[count]
            : (rented = ArrayPool<double>.Shared.Rent(count)).AsSpan(0, count);
        try
        {
            Gather(x, buffer);
            return ScoreCore(buffer);
        }
        finally
        {
            if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Learns one sample given as a dictionary. The first call builds the trees; without
    /// <see cref="HalfSpaceTreesOptions.Features"/> the schema is the sorted keys of that first sample.
    /// </summary>
    /// <exception cref="ArgumentException">The first sample of a model without a fixed schema has no keys.</exception>
    /// <exception cref="InvalidOperationException">The trees cannot be built because the feature limits collapse to zero width.</exception>
    public void LearnOne(IReadOnlyDictionary<string, double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (_nodes is null)
        {
            if (_schema is null)
            {
                if (x.Count is 0 or > HalfSpaceTreesOptions.MaxFeatures)
                {
                    throw new ArgumentException(
                        $"the first sample must hold 1 to {HalfSpaceTreesOptions.MaxFeatures} features to build the trees from, got {x.Count}", nameof(x));
                }

                var keys = x.Keys.ToArray();
                Array.Sort(keys, CodePointComparer.Instance);
                SetSchema(keys);
            }

            Build();
        }

        var count = _schema!.Length;
        double[]? rented = null;
        var buffer = count <= StackFeatureLimit
            ? stackalloc double[count]
            : (rented = ArrayPool<double>.Shared.Rent(count)).AsSpan(0, count);
        try
        {
            Gather(x, buffer);
            LearnCore(buffer);
        }
        finally
        {
            if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Scores a dense vector: <c>x[i]</c> is the value of <c>Options.Features[i]</c>, NaN meaning
    /// missing. Returns 0 until the first window has completed. Allocates nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options fix no feature schema.</exception>
    /// <exception cref="ArgumentException">The vector length differs from the schema's.</exception>
    public double ScoreOne(ReadOnlySpan<double> x)
    {
        RequireDense(x.Length);
        return _hasReference ? ScoreCore(x) : 0.0;
    }

    /// <summary>Learns a dense vector laid out as for <see cref="ScoreOne(ReadOnlySpan{double})"/>. Allocates nothing after the first call.</summary>
    /// <exception cref="InvalidOperationException">The options fix no feature schema, or the limits collapse to zero width.</exception>
    /// <exception cref="ArgumentException">The vector length differs from the schema's.</exception>
    public void LearnOne(ReadOnlySpan<double> x)
    {
        RequireDense(x.Length);
        if (_nodes is null)
        {
            Build();
        }

        LearnCore(x);
    }

    /// <summary>
    /// Writes the whole model (options, trees, masses, window position and, for a model not yet
    /// built, the generator state) in a versioned binary format that <see cref="ReadFrom"/> reads
    /// back into a model with identical future scores and learning.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        HalfSpaceTreesFormat.Write(stream, Magic, FormatVersion, this);
    }

    /// <summary>Reads a model written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not a model of a supported version, is truncated or is inconsistent.</exception>
    public static HalfSpaceTrees ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return HalfSpaceTreesFormat.Read(stream, Magic, FormatVersion);
    }

    /// <summary>Raw state for the serializer.</summary>
    internal HalfSpaceTreesState ExportState()
    {
        var state = new HalfSpaceTreesState
        {
            Schema = _nodes is null ? null : _schema,
            Counter = _counter,
            LearnCount = _learnCount,
            HasReference = _hasReference,
        };
        if (_nodes is null)
        {
            state.RngWords = new uint[PythonRandom.StateWords];
            state.RngPosition = _rng!.SaveState(state.RngWords);
            return state;
        }

        var n = _nodes.Length;
        state.Thresholds = new double[n];
        state.FeatureIndices = new int[n];
        state.LatestMasses = new int[n];
        state.ReferenceMasses = new int[n];
        for (var i = 0; i < n; i++)
        {
            ref readonly var node = ref _nodes[i];
            state.Thresholds[i] = node.Threshold;
            state.FeatureIndices[i] = node.Feature;
            state.LatestMasses[i] = node.LatestMass((ushort)_window);
            state.ReferenceMasses[i] = node.ReferenceMass((ushort)_window);
        }

        return state;
    }

    /// <summary>Rebuilds a model from serializer state that <see cref="HalfSpaceTreesFormat"/> has checked.</summary>
    internal static HalfSpaceTrees Import(HalfSpaceTreesOptions options, HalfSpaceTreesState state)
    {
        if (state.Schema is null)
        {
            return new HalfSpaceTrees(options, PythonRandom.FromState(state.RngWords!, state.RngPosition));
        }

        var model = new HalfSpaceTrees(options, rng: null);
        if (model._schema is null)
        {
            model.SetSchema(state.Schema);
        }

        var n = state.Thresholds!.Length;
        var nodes = new HstNode[n];
        for (var i = 0; i < n; i++)
        {
            // Epoch 1 in window 1 makes Latest and Previous the current masses (see HstNode).
            nodes[i] = new HstNode
            {
                Threshold = state.Thresholds[i],
                Feature = (ushort)state.FeatureIndices![i],
                Latest = (ushort)state.LatestMasses![i],
                Previous = (ushort)state.ReferenceMasses![i],
                Epoch = 1,
            };
        }

        model._nodes = nodes;
        model._window = 1;
        model._counter = state.Counter;
        model._learnCount = state.LearnCount;
        model._hasReference = state.HasReference;
        model._sortedFeatures = SortedView(model._schema!);
        return model;
    }

    /// <summary>
    /// The split of node <paramref name="node"/> (heap order: children of i at 2i+1 and 2i+2) in
    /// tree <paramref name="tree"/>, or null for a leaf; for inspection and tests.
    /// </summary>
    internal (string Feature, double Threshold)? SplitAt(int tree, int node)
    {
        if (_nodes is null)
        {
            throw new InvalidOperationException("the trees are not built yet");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(tree);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tree, _trees);
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, _nodesPerTree);
        if (node >= _nodesPerTree / 2)
        {
            return null;
        }

        ref readonly var n = ref _nodes[tree * _nodesPerTree + node];
        return (_schema![n.Feature], n.Threshold);
    }

    private static long NewSeed() => BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long))) & long.MaxValue;

    private static ReadOnlyCollection<string> SortedView(string[] schema)
    {
        var sorted = (string[])schema.Clone();
        Array.Sort(sorted, CodePointComparer.Instance);
        return Array.AsReadOnly(sorted);
    }

    private void SetSchema(string[] schema)
    {
        _schema = schema;
        _schemaIndex = new Dictionary<string, int>(schema.Length, StringComparer.Ordinal);
        for (var i = 0; i < schema.Length; i++)
        {
            _schemaIndex.Add(schema[i], i);
        }
    }

    private void RequireDense(int length)
    {
        if (Options.Features is null)
        {
            throw new InvalidOperationException("the dense API needs HalfSpaceTreesOptions.Features to fix the vector layout");
        }

        if (length != _schema!.Length)
        {
            throw new ArgumentException($"the vector has {length} values but the model has {_schema.Length} features", "x");
        }
    }

    private void Gather(IReadOnlyDictionary<string, double> x, Span<double> buffer)
    {
        var schema = _schema!;
        if (x.Count < schema.Length / 2)
        {
            // Sparse sample: walk its keys rather than probing it for every feature.
            buffer.Fill(double.NaN);
            foreach (var (key, value) in x)
            {
                if (_schemaIndex!.TryGetValue(key, out var i)) buffer[i] = value;
            }

            return;
        }

        for (var i = 0; i < schema.Length; i++)
        {
            buffer[i] = x.TryGetValue(schema[i], out var v) ? v : double.NaN;
        }
    }

    private void Build()
    {
        var (nodes, sorted) = HstTreeBuilder.Build(_schema!, Options, _rng!);
        _nodes = nodes;
        _rng = null;
        _sortedFeatures = Array.AsReadOnly(sorted);
    }

    /// <summary>
    /// <see cref="ScoreOne(ReadOnlySpan{double})"/> then <see cref="LearnOne(ReadOnlySpan{double})"/> with
    /// one descent per tree instead of two; the score and the learned state are exactly theirs.
    /// </summary>
    internal double ScoreThenLearnOne(ReadOnlySpan<double> x)
    {
        RequireDense(x.Length);
        if (!_hasReference)
        {
            // No reference window yet (or no trees): the score is 0 and only learning happens.
            LearnOne(x);
            return 0.0;
        }

        var sum = HstWalks.ScoreThenLearn(_nodes!, _trees, _nodesPerTree, _height, (ushort)_window, _sizeLimit, x);
        Learned();
        return 1.0 - sum / _maxScore;
    }

    private void LearnCore(ReadOnlySpan<double> x)
    {
        HstWalks.Learn(_nodes!, _trees, _nodesPerTree, _height, (ushort)_window, x);
        Learned();
    }

    private void Learned()
    {
        _learnCount++;
        if (++_counter == _windowSize)
        {
            // The window just filled becomes the reference; see HstNode for why this is O(1).
            _window++;
            if (_window % HstNode.RebaseInterval == 0)
            {
                var current = (ushort)_window;
                foreach (ref var node in _nodes.AsSpan())
                {
                    node.Rebase(current);
                }
            }

            _counter = 0;
            _hasReference = true;
        }
    }

    private double ScoreCore(ReadOnlySpan<double> x) =>
        1.0 - HstWalks.Score(_nodes!, _trees, _nodesPerTree, _height, (ushort)_window, _sizeLimit, x) / _maxScore;
}
