using System.Globalization;
using Pipeline.Models.Evaluation;

namespace Pipeline.Models.Lifecycle;

/// <summary>
/// Collects the scores of the active model and a candidate on the same live transactions, joins
/// delayed labels by transaction id, and decides by a <see cref="ShadowPolicy"/>.
/// Not thread-safe: the scoring stage owns an instance. Memory: O(target events).
/// </summary>
public sealed class ShadowComparison
{
    // Ten equal-width bins over [0, 1], the range of blended scores.
    private const int PsiBins = 10;
    private const double PsiFloor = 1e-4;

    private readonly int _target;
    private readonly List<double> _active;
    private readonly List<double> _candidate;
    private readonly List<bool> _activeFlag;
    private readonly List<bool> _candidateFlag;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<int, bool> _labels = [];

    /// <summary>A comparison over the next <paramref name="targetEvents"/> transactions (1 or more).</summary>
    public ShadowComparison(int targetEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetEvents, 1);
        _target = targetEvents;
        _active = new List<double>(targetEvents);
        _candidate = new List<double>(targetEvents);
        _activeFlag = new List<bool>(targetEvents);
        _candidateFlag = new List<bool>(targetEvents);
    }

    /// <summary>Transactions recorded so far.</summary>
    public int Count => _active.Count;

    /// <summary>Recorded transactions whose label has arrived.</summary>
    public int Labelled => _labels.Count;

    /// <summary>True once <see cref="Count"/> reached the target.</summary>
    public bool IsComplete => _active.Count >= _target;

    /// <summary>Records one transaction scored by both models, each flagged at the operating threshold.</summary>
    public void Add(string transactionId, double activeScore, double candidateScore, double threshold)
    {
        if (IsComplete) throw new InvalidOperationException("the shadow comparison is complete");
        _index[transactionId] = _active.Count;
        _active.Add(activeScore);
        _candidate.Add(candidateScore);
        _activeFlag.Add(activeScore > threshold);
        _candidateFlag.Add(candidateScore > threshold);
    }

    /// <summary>Joins a delayed label; labels of transactions outside the comparison are ignored.</summary>
    /// <returns>True when the label belonged to a recorded transaction.</returns>
    public bool Label(string transactionId, bool isFraud)
    {
        if (!_index.TryGetValue(transactionId, out var i)) return false;
        _labels[i] = isFraud;
        return true;
    }

    /// <summary>Computes the numbers and the decision under <paramref name="policy"/>.</summary>
    public ShadowEvaluation Evaluate(ShadowPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var n = _active.Count;
        if (n == 0) throw new InvalidOperationException("no transaction was recorded");
        var activeRate = _activeFlag.Count(f => f) / (double)n;
        var candidateRate = _candidateFlag.Count(f => f) / (double)n;
        var psi = n >= 2 ? Psi(_candidate.Take(n / 2).ToList(), _candidate.Skip(n / 2).ToList()) : 0.0;
        var positives = _labels.Values.Count(v => v);

        if (_labels.Count >= policy.MinLabels && positives >= policy.MinPositives && positives < _labels.Count)
        {
            var idx = _labels.Keys.Order().ToArray();
            var truth = idx.Select(i => _labels[i]).ToArray();
            var a = idx.Select(i => _active[i]).ToArray();
            var c = idx.Select(i => _candidate[i]).ToArray();
            var am = Confusion(idx, _activeFlag);
            var cm = Confusion(idx, _candidateFlag);
            var aAuc = PrAuc.Compute(a, truth);
            var cAuc = PrAuc.Compute(c, truth);
            var promote = cAuc >= aAuc + policy.MinPrAucGain;
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"labels: candidate PR AUC {cAuc:F4} {(promote ? ">=" : "<")} active {aAuc:F4} + gain {policy.MinPrAucGain:F4} on {idx.Length} labelled events ({positives} fraud)");
            return new ShadowEvaluation(n, _labels.Count, positives, "labels", activeRate, candidateRate, _active.Average(), _candidate.Average(), psi,
                am.Precision, am.Recall, aAuc, cm.Precision, cm.Recall, cAuc, promote, reason);
        }

        var rateOk = candidateRate <= activeRate * policy.MaxAlertRateRatio;
        var stable = psi <= policy.MaxScorePsi;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"unlabelled ({_labels.Count} labels, {positives} fraud): candidate alert rate {candidateRate:F4} {(rateOk ? "<=" : ">")} {policy.MaxAlertRateRatio:F2} x active {activeRate:F4}; score PSI {psi:F4} {(stable ? "<=" : ">")} {policy.MaxScorePsi:F4}");
        return new ShadowEvaluation(n, _labels.Count, positives, "unlabelled", activeRate, candidateRate, _active.Average(), _candidate.Average(), psi,
            null, null, null, null, null, null, rateOk && stable, text);
    }

    private BinaryMetrics Confusion(int[] idx, List<bool> flags)
    {
        var m = default(BinaryMetrics);
        foreach (var i in idx) m = m.Add(flags[i], _labels[i]);
        return m;
    }

    /// <summary>Population stability index of <paramref name="actual"/> against <paramref name="expected"/> over [0, 1].</summary>
    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count == 0 || actual.Count == 0) return 0.0;
        var e = Histogram(expected);
        var a = Histogram(actual);
        var psi = 0.0;
        for (var b = 0; b < PsiBins; b++) psi += (a[b] - e[b]) * Math.Log(a[b] / e[b]);
        return psi;
    }

    private static double[] Histogram(IReadOnlyList<double> values)
    {
        var h = new double[PsiBins];
        foreach (var v in values)
        {
            var b = (int)Math.Floor(Math.Clamp(v, 0.0, 1.0) * PsiBins);
            h[Math.Min(b, PsiBins - 1)]++;
        }

        for (var b = 0; b < PsiBins; b++) h[b] = Math.Max(h[b] / values.Count, PsiFloor);
        return h;
    }
}
