namespace Pipeline.Models.Synthetic;

/// <summary>
/// Settings of <see cref="TransactionGenerator"/>. Immutable; each initializer validates its value and names the
/// property, the value and the allowed range. Two generators with equal options produce identical sequences.
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of accounts (default 200; range 1 to 1 000 000). Each gets its own habits from the seed.</summary>
    public int Accounts
    {
        get;
        init => field = value is >= 1 and <= 1_000_000 ? value : throw Range(nameof(Accounts), value, "[1, 1000000]");
    } = 200;

    /// <summary>
    /// Seed of the only random source (default 42). The same seed gives the same sequence on the same runtime and
    /// platform (floating-point library functions may differ in the last bit between platforms).
    /// </summary>
    public long Seed { get; init; } = 42;

    /// <summary>Transactions in the normal phase (default 8000; at least 0).</summary>
    public int NormalCount
    {
        get;
        init => field = value >= 0 ? value : throw Range(nameof(NormalCount), value, ">= 0");
    } = 8000;

    /// <summary>Transactions in the drift phase (default 1000; at least 0). Habits move linearly from normal to fully drifted across it.</summary>
    public int DriftCount
    {
        get;
        init => field = value >= 0 ? value : throw Range(nameof(DriftCount), value, ">= 0");
    } = 1000;

    /// <summary>Transactions in the attack phase (default 1000; at least 0).</summary>
    public int AttackCount
    {
        get;
        init => field = value >= 0 ? value : throw Range(nameof(AttackCount), value, ">= 0");
    } = 1000;

    /// <summary>Event time of the start of the scenario (default 2024-01-01T00:00:00Z); the first transaction comes a little later.</summary>
    public DateTimeOffset Start { get; init; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Mean event-time gap between two consecutive transactions across all accounts (default 1 s; range 1 µs to 1 day).
    /// Event times are written to the millisecond, so gaps below 1 ms (above 1,000 transactions per second) give
    /// some transactions the same timestamp.
    /// Gaps are exponential, so per-account gaps average <c>Accounts × MeanInterArrival</c> for an average account.
    /// </summary>
    public TimeSpan MeanInterArrival
    {
        get;
        init => field = value >= TimeSpan.FromMicroseconds(1) && value <= TimeSpan.FromDays(1)
            ? value
            : throw Range(nameof(MeanInterArrival), value, "[1 µs, 1 day]");
    } = TimeSpan.FromSeconds(1);

    /// <summary>Share of attack-phase transactions that are fraud (default 0.1; range [0, 1]).</summary>
    public double AttackFraction
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw Range(nameof(AttackFraction), value, "[0, 1]");
    } = 0.1;

    /// <summary>
    /// Share of frauds that come in high-velocity bursts on a few compromised accounts rather than scattered over
    /// random accounts (default 0.5; range [0, 1]).
    /// </summary>
    public double BurstShare
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw Range(nameof(BurstShare), value, "[0, 1]");
    } = 0.5;

    /// <summary>Factor on every account's typical amount once drift is complete (default 1.8; range [0.1, 100]).</summary>
    public double DriftAmountScale
    {
        get;
        init => field = value is >= 0.1 and <= 100 ? value : throw Range(nameof(DriftAmountScale), value, "[0.1, 100]");
    } = 1.8;

    /// <summary>Share of spending at merchants new to the population once drift is complete (default 0.35; range [0, 1]).</summary>
    public double DriftNewMerchantShare
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw Range(nameof(DriftNewMerchantShare), value, "[0, 1]");
    } = 0.35;

    /// <summary>Event-time delay between a transaction and its label (default 30 s; range 0 to 365 days), like a chargeback.</summary>
    public TimeSpan LabelDelay
    {
        get;
        init => field = value >= TimeSpan.Zero && value <= TimeSpan.FromDays(365)
            ? value
            : throw Range(nameof(LabelDelay), value, "[0, 365 days]");
    } = TimeSpan.FromSeconds(30);

    /// <summary>Total transactions over all phases.</summary>
    public long TotalCount => (long)NormalCount + DriftCount + AttackCount;

    private static ArgumentOutOfRangeException Range(string name, object value, string range) =>
        new(name, value, $"{name} must be in {range}");
}
