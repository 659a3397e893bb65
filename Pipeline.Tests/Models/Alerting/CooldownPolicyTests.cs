using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Alerting;

public sealed class CooldownPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly CooldownPolicy _policy = new(TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(1));
    private readonly Dictionary<CooldownKey, CooldownEntry> _state = new();

    [Fact]
    public void Decide_should_raise_when_the_account_has_no_earlier_alert_for_the_reason()
    {
        Assert.Equal(AlertDecision.Raise, Decide(Candidate("tx-1", TimeSpan.Zero)));
    }

    [Fact]
    public void Decide_should_suppress_by_cooldown_when_the_same_reason_repeats_within_the_cooldown()
    {
        Raise(Candidate("tx-1", TimeSpan.Zero));

        Assert.Equal(AlertDecision.SuppressCooldown, Decide(Candidate("tx-2", TimeSpan.FromMinutes(5))));
        Assert.Equal(AlertDecision.Raise, Decide(Candidate("tx-3", TimeSpan.FromMinutes(15))));
    }

    [Fact]
    public void Decide_should_suppress_as_duplicate_even_an_escalation_when_it_repeats_within_the_dedupe_window()
    {
        Raise(Candidate("tx-1", TimeSpan.Zero, Severity.Medium));

        Assert.Equal(AlertDecision.SuppressDuplicate, Decide(Candidate("tx-2", TimeSpan.FromSeconds(30), Severity.Critical)));
        Assert.Equal(AlertDecision.Raise, Decide(Candidate("tx-3", TimeSpan.FromMinutes(2), Severity.Critical)));
        Assert.Equal(AlertDecision.SuppressCooldown, Decide(Candidate("tx-4", TimeSpan.FromMinutes(2), Severity.Medium)));
    }

    [Fact]
    public void Decide_should_raise_when_one_of_the_reasons_is_new_for_the_account()
    {
        Raise(Candidate("tx-1", TimeSpan.Zero, reasons: ["amount_above"]));

        Assert.Equal(AlertDecision.Raise, Decide(Candidate("tx-2", TimeSpan.FromMinutes(5), reasons: ["amount_above", "new_country"])));
        Assert.Equal(AlertDecision.Raise, Decide(Candidate("tx-3", TimeSpan.FromMinutes(5), account: "acc-2")));
    }

    [Fact]
    public void Decide_should_never_suppress_a_replay_of_the_alert_that_started_the_cooldown()
    {
        var first = Candidate("tx-1", TimeSpan.Zero);
        Raise(first);

        Assert.Equal(AlertDecision.Raise, Decide(first));
    }

    [Fact]
    public void Decide_should_judge_a_late_event_by_its_distance_in_event_time()
    {
        Raise(Candidate("tx-1", TimeSpan.FromMinutes(30)));

        Assert.Equal(AlertDecision.SuppressCooldown, Decide(Candidate("tx-0", TimeSpan.FromMinutes(20))));
        Assert.Equal(AlertDecision.Raise, Decide(Candidate("tx-00", TimeSpan.Zero)));
    }

    [Fact]
    public void EntriesAfter_should_keep_a_newer_entry_when_a_late_alert_is_raised()
    {
        var newer = Candidate("tx-1", TimeSpan.FromMinutes(30));
        Raise(newer);
        var late = Candidate("tx-0", TimeSpan.Zero);

        var entries = CooldownPolicy.EntriesAfter(late, k => _state.GetValueOrDefault(k));

        Assert.Empty(entries);
    }

    [Fact]
    public void KeysOf_should_key_a_score_only_alert_on_the_score_reason()
    {
        var keys = CooldownPolicy.KeysOf(Candidate("tx-1", TimeSpan.Zero, reasons: []));

        Assert.Equal([new CooldownKey("acc-1", Alert.ScoreReason)], keys);
    }

    [Fact]
    public void Constructor_should_refuse_a_dedupe_window_longer_than_the_cooldown()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CooldownPolicy(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)));
    }

    private AlertDecision Decide(Alert candidate) => _policy.Decide(candidate, k => _state.GetValueOrDefault(k));

    private void Raise(Alert alert)
    {
        Assert.Equal(AlertDecision.Raise, Decide(alert));
        foreach (var (key, entry) in CooldownPolicy.EntriesAfter(alert, k => _state.GetValueOrDefault(k))) _state[key] = entry;
    }

    private static Alert Candidate(string tx, TimeSpan at, Severity severity = Severity.High, string[]? reasons = null, string account = "acc-1") => new()
    {
        AlertId = AlertIds.For(tx),
        TransactionId = tx,
        AccountId = account,
        EventTime = T0 + at,
        Amount = 100,
        Currency = "EUR",
        Score = 0.9,
        Severity = severity,
        Threshold = 0.7,
        Reasons = reasons ?? ["amount_above"],
        ModelVersion = "v1",
        CreatedAt = T0,
    };
}
