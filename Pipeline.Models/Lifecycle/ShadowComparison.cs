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

        var enough = _labels.Count >= policy.MinLabels && positives >= policy.MinPositives && positives < _labels.Count;
        if (enough)
        {
            var idx = _labels.Keys.Order().ToArray();
            var truth = idx.Select(i => _labels[i]).ToArray();
            var am = Confusion(idx, _activeFlag);
            var cm = Confusion(idx, _candidateFlag);
            var aAuc = PrAuc.Compute(idx.Select(i => _active[i]).ToArray(), truth);
            var cAuc = PrAuc.Compute(idx.Select(i => _candidate[i]).ToArray(), truth);

            // Recall at the threshold is what the operator relies on: a candidate that misses more
            // fraud is never promoted. Among those that do not, it must be better at something
            // measurable — fewer false alerts at the threshold, or a better ranking overall.
            var recallOk = cm.Recall >= am.Recall;
            var aPrecision = OrZero(am.Precision);
            var cPrecision = OrZero(cm.Precision);
            var precisionWins = cPrecision >= aPrecision + policy.MinGain;
            var aucWins = cAuc >= aAuc + policy.MinGain;
            var promote = recallOk && (precisionWins || aucWins);
            var verdict = !recallOk ? "loses recall" : precisionWins ? "wins on precision" : aucWins ? "wins on PR AUC" : "wins on neither precision nor PR AUC";
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"labels: candidate {verdict} at threshold on {idx.Length} labelled events ({positives} fraud): recall {cm.Recall:F4} vs active {am.Recall:F4}, precision {cPrecision:F4} vs {aPrecision:F4}, PR AUC {cAuc:F4} vs {aAuc:F4}, gain {policy.MinGain:F4}");
            return new ShadowEvaluation(n, _labels.Count, positives, "labels", activeRate, candidateRate, _active.Average(), _candidate.Average(), psi,
                aPrecision, am.Recall, aAuc, cPrecision, cm.Recall, cAuc, promote, reason);
        }

        var rateOk = candidateRate <= activeRate * policy.MaxAlertRateRatio;
        var stable = psi <= policy.MaxScorePsi;
        var why = positives < policy.MinPositives
            ? string.Create(CultureInfo.InvariantCulture, $"{_labels.Count} labels, {positives} fraud < {policy.MinPositives} needed")
            : string.Create(CultureInfo.InvariantCulture, $"{_labels.Count} labels, {positives} fraud");
        var text = string.Create(CultureInfo.InvariantCulture,
            $"unlabelled ({why}): candidate alert rate {candidateRate:F4} {(rateOk ? "<=" : ">")} {policy.MaxAlertRateRatio:F2} x active {activeRate:F4}; score PSI {psi:F4} {(stable ? "<=" : ">")} {policy.MaxScorePsi:F4}");
        return new ShadowEvaluation(n, _labels.Count, positives, "unlabelled", activeRate, candidateRate, _active.Average(), _candidate.Average(), psi,
            null, null, null, null, null, null, rateOk && stable, text);
    }

    // Precision is undefined without alerts; no alert is no correct alert.
    private static double OrZero(double value) => double.IsNaN(value) ? 0.0 : value;

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
