namespace Pipeline.Models.Alerting;

/// <summary>
/// Decides whether a candidate alert is raised or suppressed, per (account, reason), from the last
/// alert raised for each of its reasons. Distances are measured in event time (absolute, so late
/// events are judged against the nearest alert), which makes the decision the same when a stream
/// is replayed after a crash.
/// <list type="bullet">
/// <item>A reason with no earlier alert, or whose last alert is at least <see cref="Cooldown"/> away, is <i>fresh</i>.</item>
/// <item>A reason whose last alert is less than <see cref="DedupeWindow"/> away is a <i>duplicate</i>, whatever the severity.</item>
/// <item>Between the two, a reason is suppressed by its cooldown unless the candidate's severity is higher
/// than that of the last alert (an escalation breaks through).</item>
/// <item>The entry of the candidate itself (same alert id, a replay) never suppresses it.</item>
/// </list>
/// The candidate is raised when at least one reason is fresh or escalates; then every reason's
/// entry moves to the candidate (its cooldown restarts), unless the entry is newer in event time.
/// Immutable and thread-safe; O(reasons) per decision.
/// </summary>
public sealed class CooldownPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="cooldown">How long after an alert further alerts for the same (account, reason) are suppressed unless they escalate. Zero disables cooldown.</param>
    /// <param name="dedupeWindow">How long after an alert further alerts for the same (account, reason) are duplicates, even when they escalate. At most <paramref name="cooldown"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative duration, or a dedupe window longer than the cooldown.</exception>
    public CooldownPolicy(TimeSpan cooldown, TimeSpan dedupeWindow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cooldown, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(dedupeWindow, TimeSpan.Zero);
        if (dedupeWindow > cooldown)
        {
            throw new ArgumentOutOfRangeException(nameof(dedupeWindow), dedupeWindow, $"the dedupe window must not exceed the cooldown ({cooldown})");
        }

        Cooldown = cooldown;
        DedupeWindow = dedupeWindow;
    }

    /// <summary>Suppression span after an alert, per (account, reason).</summary>
    public TimeSpan Cooldown { get; }

    /// <summary>Span after an alert within which a repeat is a duplicate even when it escalates.</summary>
    public TimeSpan DedupeWindow { get; }

    /// <summary>The cooldown keys of <paramref name="alert"/>: its account with each of <see cref="Alert.CooldownReasons"/>.</summary>
    public static IReadOnlyList<CooldownKey> KeysOf(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var reasons = alert.CooldownReasons;
        var keys = new CooldownKey[reasons.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = new CooldownKey(alert.AccountId, reasons[i]);
        return keys;
    }

    /// <summary>Decides <paramref name="candidate"/> against the last alerts in <paramref name="lookup"/> (null: none for that key).</summary>
    public AlertDecision Decide(Alert candidate, Func<CooldownKey, CooldownEntry?> lookup)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(lookup);
        var sawCooldown = false;
        foreach (var key in KeysOf(candidate))
        {
            var last = lookup(key);
            if (last is null || last.AlertId == candidate.AlertId) return AlertDecision.Raise;
            var distance = (candidate.EventTime - last.LastEventTime).Duration();
            if (distance >= Cooldown) return AlertDecision.Raise;
            if (distance < DedupeWindow) continue;
            if (candidate.Severity > last.Severity) return AlertDecision.Raise;
            sawCooldown = true;
        }

        return sawCooldown ? AlertDecision.SuppressCooldown : AlertDecision.SuppressDuplicate;
    }

    /// <summary>
    /// The entries after raising <paramref name="raised"/>: for each of its keys, the candidate's entry,
    /// or the existing one when that is newer in event time.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<CooldownKey, CooldownEntry>> EntriesAfter(Alert raised, Func<CooldownKey, CooldownEntry?> lookup)
    {
        ArgumentNullException.ThrowIfNull(raised);
        ArgumentNullException.ThrowIfNull(lookup);
        var keys = KeysOf(raised);
        var result = new List<KeyValuePair<CooldownKey, CooldownEntry>>(keys.Count);
        var entry = new CooldownEntry(raised.EventTime, raised.Severity, raised.AlertId);
        foreach (var key in keys)
        {
            var last = lookup(key);
            if (last is not null && last.LastEventTime > raised.EventTime) continue;
            result.Add(new(key, entry));
        }

        return result;
    }
}
