using Pipeline.Models.Anomaly;
using Pipeline.Models.Internal;

namespace Pipeline.Tests.Models.Anomaly;

/// <summary>
/// A deliberately naive transcription of spec §3 for differential tests: pointer nodes, eager
/// window pivots over every node, dictionary inputs. Slow and obviously River-shaped, so the
/// optimised model (flat 16-bit nodes, lazy pivots, level-synchronous walks) can be checked
/// against it over long streams.
/// </summary>
internal sealed class ReferenceHalfSpaceTrees(int trees, int height, int windowSize, long seed, IReadOnlyDictionary<string, FeatureLimits>? limits = null)
{
    private readonly PythonRandom _rng = new(seed);
    private readonly double _sizeLimit = 0.1 * windowSize;
    private readonly long _maxScore = trees * windowSize * ((1L << (height + 1)) - 1);
    private List<Node>? _roots;
    private int _counter;
    private bool _firstWindowDone;

    public void LearnOne(IReadOnlyDictionary<string, double> x)
    {
        if (_roots is null)
        {
            var names = x.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var lim = names.ToDictionary(n => n, n => limits is not null && limits.TryGetValue(n, out var l) ? (l.Lo, l.Hi) : (0.0, 1.0));
            _roots = Enumerable.Range(0, trees).Select(_ => Build(names, lim, height)).ToList();
        }

        foreach (var root in _roots)
        {
            var node = root;
            while (true)
            {
                node.LMass++;
                if (node.Left is null) break;
                node = node.Next(x);
            }
        }

        if (++_counter == windowSize)
        {
            foreach (var root in _roots) Pivot(root);
            _firstWindowDone = true;
            _counter = 0;
        }
    }

    public double ScoreOne(IReadOnlyDictionary<string, double> x)
    {
        if (!_firstWindowDone) return 0.0;
        var score = 0.0;
        foreach (var root in _roots!)
        {
            var node = root;
            for (var depth = 0; ; depth++)
            {
                score += node.RMass * Math.Pow(2, depth);
                if (node.RMass < _sizeLimit || node.Left is null) break;
                node = node.Next(x);
            }
        }

        return 1 - score / _maxScore;
    }

    private Node Build(List<string> names, Dictionary<string, (double Lo, double Hi)> lim, int h)
    {
        if (h == 0) return new Node();
        var cumulative = new double[names.Count];
        var sum = 0.0;
        for (var i = 0; i < names.Count; i++) cumulative[i] = sum += lim[names[i]].Hi - lim[names[i]].Lo;
        var on = names[_rng.ChooseIndexCumulative(cumulative)];
        var (a, b) = lim[on];
        var at = _rng.Uniform(a + 0.15 * (b - a), b - 0.15 * (b - a));
        var node = new Node { Feature = on, Threshold = at };
        lim[on] = (a, at);
        node.Left = Build(names, lim, h - 1);
        lim[on] = (at, b);
        node.Right = Build(names, lim, h - 1);
        lim[on] = (a, b);
        return node;
    }

    private static void Pivot(Node node)
    {
        node.RMass = node.LMass;
        node.LMass = 0;
        if (node.Left is null) return;
        Pivot(node.Left);
        Pivot(node.Right!);
    }

    private sealed class Node
    {
        public string? Feature { get; init; }
        public double Threshold { get; init; }
        public Node? Left { get; set; }
        public Node? Right { get; set; }
        public int LMass { get; set; }
        public int RMass { get; set; }

        public Node Next(IReadOnlyDictionary<string, double> x)
        {
            if (!x.TryGetValue(Feature!, out var v))
            {
                return Left!.LMass < Right!.LMass ? Right : Left;
            }

            return v < Threshold ? Left! : Right!;
        }
    }
}
