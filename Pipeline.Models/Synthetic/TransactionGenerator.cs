namespace Pipeline.Models.Synthetic;

/// <summary>
/// A deterministic, seeded stream of realistic synthetic transactions in three phases (normal → drift → attack)
/// with ground truth, for demos, benchmarks and end-to-end tests of the pipeline.
/// </summary>
/// <remarks>
/// <para><b>Accounts.</b> Each account draws its habits from the seed: a log-normal amount profile (median between
/// 8 and 250), a home country and currency, three to six favourite merchants with decaying preference, active
/// UTC hours, an online share, a Luhn-valid test card number (4000 range), an e-mail at example.com and one or two
/// devices. Busy accounts are picked more often (log-normal activity).</para>
/// <para><b>Time.</b> Event time advances by exponential gaps with mean <see cref="GeneratorOptions.MeanInterArrival"/>;
/// accounts outside their active hours are usually passed over. About 2% of events are stamped slightly earlier
/// than the previous event of another account (out of order across accounts), never earlier than the same
/// account's previous event. Timestamps are UTC with millisecond precision.</para>
/// <para><b>Drift.</b> Across the drift phase habits move linearly toward a shifted population: amounts scale up to
/// <see cref="GeneratorOptions.DriftAmountScale"/>, merchants new to the population take up to
/// <see cref="GeneratorOptions.DriftNewMerchantShare"/> of spending, and online spending grows. This is a
/// population shift, not fraud; it persists through the attack phase.</para>
/// <para><b>Attack.</b> A share <see cref="GeneratorOptions.AttackFraction"/> of attack-phase transactions is fraud.
/// Of those, <see cref="GeneratorOptions.BurstShare"/> come in bursts of 5 to 15 quick transactions on one of a few
/// compromised accounts (a new device, one foreign country, gift cards, electronics or crypto); the rest are
/// scattered over random accounts (8× to 40× the usual amount, mostly abroad, crypto, wire transfers, gift cards,
/// electronics or a foreign ATM, often from a new device).</para>
/// <para>Cost: O(accounts) set-up, then O(1) per transaction; the sequence is produced lazily, so any count fits
/// in constant memory. Each enumeration restarts from the seed and yields the identical sequence.</para>
/// </remarks>
public static class TransactionGenerator
{
    /// <summary>The scenario described by <paramref name="options"/>, in generation order.</summary>
    public static IEnumerable<GeneratedTransaction> Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Iterate(options);
    }

    private static IEnumerable<GeneratedTransaction> Iterate(GeneratorOptions options)
    {
        var scenario = new SyntheticScenario(options);
        for (var i = 0; i < options.NormalCount; i++) yield return scenario.Next(GenerationPhase.Normal, 0.0);
        for (var i = 0; i < options.DriftCount; i++) yield return scenario.Next(GenerationPhase.Drift, (i + 1.0) / options.DriftCount);
        for (var i = 0; i < options.AttackCount; i++) yield return scenario.Next(GenerationPhase.Attack, 1.0);
    }
}
